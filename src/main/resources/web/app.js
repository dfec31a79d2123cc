// Layout hook (layout.jte): the live indicator in the top bar, flash messages that fade, and back to the sign-in page
// when the stream is refused because the session has ended.
(function () {
  'use strict';
  var live = document.getElementById('live');
  var last = 0;
  function show(state, text) {
    if (live && live.textContent !== text) {
      live.className = 'live ' + state;
      live.textContent = text;
    }
  }
  document.body.addEventListener('htmx:sseOpen', function () { last = Date.now(); show('on', 'Live'); });
  document.body.addEventListener('htmx:sseMessage', function () { last = Date.now(); show('on', 'Live'); });
  document.body.addEventListener('htmx:sseError', function () {
    show('off', 'Reconnecting');
    // The stream answers 401 without a session; the page itself then redirects to /login.
    fetch(location.pathname + location.search, { redirect: 'manual', credentials: 'same-origin' })
      .then(function (r) {
        if (r.type === 'opaqueredirect' || r.status === 401) {
          location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search));
        }
      })
      .catch(function () { /* the node is down; EventSource keeps retrying */ });
  });
  // Updates come every second; three seconds without one means the view is stale.
  setInterval(function () {
    if (last && Date.now() - last > 3000) { show('off', 'Stale'); }
  }, 1000);
  document.body.addEventListener('htmx:afterSwap', function (e) {
    var t = e.detail && e.detail.target;
    if (t && t.id === 'flash' && t.firstElementChild) {
      var f = t.firstElementChild;
      setTimeout(function () { f.remove(); }, 6000);
    }
  });
})();
