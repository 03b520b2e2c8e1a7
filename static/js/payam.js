/* Payam (پیام ایران): the small amount of JavaScript every page needs.
   Loaded with `defer` from base.html; the CSP forbids inline scripts, so it lives here. */
(function () {
  "use strict";

  /* Every htmx request carries the CSRF token from <meta name="csrf-token">, so POST,
     PUT, PATCH and DELETE requests made by htmx pass Django's CSRF check. */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  /* Captcha: «کد دیگر» asks the server for a new challenge and swaps the image, the
     sound and the hidden key; the typed answer is cleared. */
  function captchaAudioNote(box, text) {
    var note = box.querySelector("[data-captcha-audio-error]");
    if (note) {
      note.textContent = text;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-captcha-refresh]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var box = button.closest("[data-captcha]");
    fetch(button.getAttribute("data-captcha-refresh"), {
      headers: { "X-Requested-With": "XMLHttpRequest" },
      credentials: "same-origin"
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        box.querySelector("[data-captcha-image]").src = data.image_url;
        var audio = box.querySelector("[data-captcha-audio]");
        if (audio) {
          audio.pause();
          audio.src = data.audio_url;
        }
        captchaAudioNote(box, "");
        box.querySelector('input[type="hidden"]').value = data.key;
        var answer = box.querySelector('input[type="text"]');
        answer.value = "";
        answer.focus();
      });
  });

  /* Captcha: «شنیدن کد» plays the same challenge's digits, spoken (a new file each
     press, from the start); focus stays on the button. A file that cannot be
     played (too many plays, an expired code) says so in the note beside it, which
     screen readers announce (role="alert"). */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-captcha-listen]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var box = button.closest("[data-captcha]");
    var audio = box.querySelector("[data-captcha-audio]");
    captchaAudioNote(box, "");
    audio.load();
    var playing = audio.play();
    if (playing && playing.catch) {
      playing.catch(function (error) {
        if (error && error.name !== "AbortError") {
          showCaptchaAudioError(audio);
        }
      });
    }
  });

  function showCaptchaAudioError(audio) {
    var box = audio.closest("[data-captcha]");
    var note = box && box.querySelector("[data-captcha-audio-error]");
    if (note) {
      captchaAudioNote(box, note.getAttribute("data-message"));
    }
  }

  /* A media element's "error" does not bubble: listened for while it goes down. */
  document.addEventListener("error", function (event) {
    if (event.target instanceof HTMLAudioElement && event.target.hasAttribute("data-captcha-audio")) {
      showCaptchaAudioError(event.target);
    }
  }, true);

  /* A button that may be used only after a wait (resending a code): it shows the
     seconds left, in the page's digits, and is enabled when they run out. */
  var PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹";
  function localDigits(number) {
    var text = String(number);
    if (document.documentElement.lang !== "fa") {
      return text;
    }
    return text.replace(/[0-9]/g, function (d) { return PERSIAN_DIGITS[Number(d)]; });
  }

  function startCountdown(button) {
    var left = parseInt(button.getAttribute("data-countdown"), 10) || 0;
    var note = button.parentElement.querySelector("[data-countdown-note]");
    /* The seconds sit in the note beside the button (or inside the button). */
    var label = button.querySelector("[data-countdown-seconds]") ||
      (note && note.querySelector("[data-countdown-seconds]"));
    function tick() {
      if (left <= 0) {
        button.disabled = false;
        if (note) {
          note.hidden = true;
        }
        return;
      }
      button.disabled = true;
      if (note) {
        note.hidden = false;
      }
      if (label) {
        label.textContent = localDigits(left);
      }
      left -= 1;
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-countdown]").forEach(startCountdown);
  });

  /* The «چاپ» button of a letter's print view: hidden until this script can open the
     browser's print dialog. */
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (!button) {
      return;
    }
    event.preventDefault();
    window.print();
  });

  /* The error summary of a form that came back with errors (_form_errors.html): focus
     moves to it when the page opens, or when htmx puts one in, so a screen reader reads
     it (it is role="alert" as well) and the next Tab goes to its first link. A link of
     the summary moves focus to its field and shows the field's label with it. */
  function focusErrorSummary(root) {
    var summary = root.matches && root.matches("[data-error-summary]") ?
      root : root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary(document);
  });

  document.addEventListener("htmx:load", function (event) {
    if (document.readyState !== "loading") {
      focusErrorSummary(event.detail.elt);
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector('label[for="' + CSS.escape(field.id) + '"]');
    (label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });

  /* htmx swaps a form for the server's copy of it (a letter's star and archive
     buttons): the button that was pressed is gone, and focus would fall back to the top
     of the page. The same control of the new copy gets focus instead. */
  var CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  var refocus = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var target = event.detail.target;
    refocus = null;
    if (active && target && active !== document.body && target.contains(active)) {
      var controls = Array.prototype.slice.call(target.querySelectorAll(CONTROLS));
      refocus = { name: active.getAttribute("name"), index: controls.indexOf(active) };
    }
  });

  document.addEventListener("htmx:load", function (event) {
    if (!refocus) {
      return;
    }
    var root = event.detail.elt;
    var next = refocus.name ?
      root.querySelector('[name="' + CSS.escape(refocus.name) + '"]') : null;
    next = next || root.querySelectorAll(CONTROLS)[refocus.index];
    refocus = null;
    if (next) {
      next.focus();
    }
  });

  /* A table too wide for the screen scrolls inside its named region
     (.table-responsive[role=region]): while it does, the region is a Tab stop, so the
     arrow keys scroll it; when it fits, it is no stop at all. */
  function markScrollingTables() {
    document.querySelectorAll('.table-responsive[role="region"]').forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else if (box !== document.activeElement) {
        box.removeAttribute("tabindex");
      }
    });
  }

  var resizeTimer = null;
  document.addEventListener("DOMContentLoaded", markScrollingTables);
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(markScrollingTables, 150);
  });

  /* A form with data-confirm="…" (signing out of the other sessions) asks before it
     is sent; the question is the attribute's text. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
