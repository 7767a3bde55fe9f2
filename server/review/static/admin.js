// The staff console works without this file; it only adds a print button and confirmations.
for (const button of document.querySelectorAll('[data-print]')) button.addEventListener('click', () => window.print());
for (const form of document.querySelectorAll('form[data-confirm]'))
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
// "Chọn mọi nhóm": shown only where this script runs
for (const all of document.querySelectorAll('[data-select-all]')) {
  all.hidden = false;
  const boxes = () => [...all.form.querySelectorAll('input[type="checkbox"][name="ids"]')];
  all.addEventListener('change', () => boxes().forEach((b) => (b.checked = all.checked)));
}
