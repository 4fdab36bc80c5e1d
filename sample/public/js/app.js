// Proves in the page that the preloaded script ran.
document.documentElement.dataset.script = 'ran';
document.addEventListener('DOMContentLoaded', () => {
  const status = document.getElementById('script-status');
  if (status) status.textContent = 'app.js ran';
});
