// Support pages. Progressive enhancement only: every page works without it.
(function () {
  "use strict";

  // ALT form: show what to have ready for the chosen category, and the
  // emergency number when the request is urgent.
  var category = document.querySelector("[data-support-category]");
  if (category) {
    var lines = document.querySelectorAll(".support-help");
    var showHelp = function () {
      lines.forEach(function (line) {
        line.classList.toggle("d-none", Boolean(category.value) && line.dataset.category !== category.value);
      });
    };
    category.addEventListener("change", showHelp);
    showHelp();
  }
  // On a phone the form comes first and what to have ready folds below it.
  var guidance = document.querySelector("[data-support-guidance]");
  if (guidance && window.matchMedia("(max-width: 991.98px)").matches) {
    guidance.open = false;
  }
  var urgency = document.querySelector("[data-support-urgency]");
  var urgentNote = document.getElementById("urgent-note");
  if (urgency && urgentNote) {
    var showUrgent = function () {
      urgentNote.classList.toggle("d-none", urgency.value !== "URGENT");
    };
    urgency.addEventListener("change", showUrgent);
    showUrgent();
  }

  // A second click while the first send is on its way does nothing (the server
  // also recognises a form sent twice).
  document.querySelectorAll("form[data-support-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    });
  });

  // Counter cards: a print button (the browser's own Print command works as well).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });

  // Admin change page: a canned reply fills the reply box, to be edited before saving.
  var canned = document.querySelector("[data-support-canned]");
  var reply = document.querySelector("[data-support-reply]");
  if (canned && reply) {
    canned.addEventListener("change", function () {
      var option = canned.options[canned.selectedIndex];
      var body = option ? option.getAttribute("data-body") : null;
      if (body && !reply.value.trim()) {
        reply.value = body;
      }
    });
  }
})();
