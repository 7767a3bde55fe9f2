// Buttons on the demo pages that open the floating <cnsh-chat>; without this script they stay hidden.
for (const button of document.querySelectorAll('[data-open-chat]')) {
  const chat = document.querySelector('cnsh-chat');
  if (!chat) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    await customElements.whenDefined('cnsh-chat');
    chat.show();
  });
}

// "Sao chép mã nhúng" on the teacher page; without this script the code can still be selected by hand.
for (const button of document.querySelectorAll('[data-copy]')) {
  if (!navigator.clipboard) continue;
  const status = button.parentElement?.querySelector('.copy-status');
  button.hidden = false;
  button.addEventListener('click', async () => {
    const ok = await navigator.clipboard.writeText(button.dataset.copy ?? '').then(() => true, () => false);
    if (status) status.textContent = ok ? 'Đã sao chép mã nhúng.' : 'Chưa sao chép được; hãy chọn đoạn mã rồi sao chép thủ công.';
  });
}
