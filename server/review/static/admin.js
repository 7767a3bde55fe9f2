// The staff console works without this file; it only adds a print button and confirmations.
for (const button of document.querySelectorAll('[data-print]')) button.addEventListener('click', () => window.print());
for (const form of document.querySelectorAll('form[data-confirm]'))
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
