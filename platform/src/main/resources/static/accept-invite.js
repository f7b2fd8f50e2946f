// The page the invitation e-mail links to: the token comes from the link, the name and password from
// the invited person. The token leaves the address bar at once, so it is not kept in the history.
(function () {
  const token = new URLSearchParams(window.location.search).get('token');
  history.replaceState(null, '', window.location.pathname);
  const form = document.getElementById('accept');
  const result = document.getElementById('result');
  if (!token) {
    form.hidden = true;
    result.textContent = 'This link holds no invitation. Open the link of your invitation e-mail.';
    result.className = 'error';
    return;
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { token, name: form.name.value, password: form.password.value };
    const response = await fetch('/api/v1/auth/accept-invite', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.ok) {
      form.hidden = true;
      result.className = '';
      result.textContent = 'Your account is ready: log in with your e-mail address and this password.';
      return;
    }
    const problem = await response.json().catch(() => ({}));
    result.className = 'error';
    result.textContent = problem.detail || 'The invitation could not be accepted (' + response.status + ').';
  });
})();
