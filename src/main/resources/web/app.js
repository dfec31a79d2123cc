// Layout hook (layout.jte): the live indicator in the top bar, live parts held while pressed, flash messages that fade,
// and back to the sign-in page when the stream is refused because the session has ended.
(function () {
  'use strict';
  var live = document.getElementById('live');
  var last = 0;
  var updates = 0;
  function show(state, text) {
    if (live && live.textContent !== text) {
      live.className = 'live ' + state;
      live.textContent = text;
    }
  }
  // On the indicator, for browser tests to wait on instead of guessing: data-updates counts the parts swapped in since
  // the page loaded, data-stream is the stream the last one came from (a new filter on the events page swaps <main>
  // and opens another). An update from the stream <main> names means the page shows that stream's view now, not the
  // one it was served with.
  function swapped(source) {
    last = Date.now();
    show('on', 'Live');
    if (live) {
      live.dataset.updates = String(++updates);
      live.dataset.stream = source && source.url ? source.url : '';
    }
  }
  document.body.addEventListener('htmx:sseOpen', function () { last = Date.now(); show('on', 'Live'); });
  // The stream's heartbeat (a tick where nothing on the page changed): live, but no part was swapped. data-beats
  // counts them, for tests of a quiet page.
  var beats = 0;
  document.body.addEventListener('htmx:sseMessage', function (e) {
    if (e.target && e.target.id === 'beat') {
      last = Date.now();
      show('on', 'Live');
      if (live) { live.dataset.beats = String(++beats); }
      return;
    }
    swapped(e.detail && e.detail.target);
  });

  // A part is not replaced under a pressed pointer. A click is a press and a release on the same element; a swap in
  // between replaces the element pressed, and the browser then fires no click at all: "Older" on a busy events page,
  // where the pager changes whenever an event comes, could ignore a click. So an update for a part that holds the
  // pressed element waits, and the latest one per part is swapped in once the press ends (after its click).
  var pressed = null;
  var held = new Map();
  document.addEventListener('pointerdown', function (e) { pressed = e.target; }, true);
  function released() {
    pressed = null;
    setTimeout(flush, 0); // the click of this release is dispatched first
  }
  document.addEventListener('pointerup', released, true);
  document.addEventListener('pointercancel', released, true);
  window.addEventListener('blur', released); // a release outside the window may never be seen
  document.body.addEventListener('htmx:sseBeforeMessage', function (e) {
    var part = e.target;
    if (pressed && part.contains(pressed)) {
      e.preventDefault();
      held.set(part, e.detail); // each update is the whole part: only the latest matters
    } else {
      held.delete(part); // swapped now, and newer than what was held
    }
  });
  function flush() {
    if (pressed) { return; } // pressed again before this ran: its own release flushes
    held.forEach(function (message, part) {
      if (document.body.contains(part)) {
        htmx.swap(part, message.data, { swapStyle: 'innerHTML', swapDelay: 0, settleDelay: 0 });
        swapped(message.target);
      }
    });
    held.clear();
  }

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
