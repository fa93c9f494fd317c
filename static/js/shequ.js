// Small behaviours without inline scripts (the Content-Security-Policy allows scripts from this site only).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-submit-on-change]") && field.form) {
    field.form.submit();
  }
});

// A failed action keeps what the user typed. A form marked data-keep-draft saves its text on submit; the page
// that answers puts it back when it reports a failure (an error or warning message) and forgets it otherwise.
(function () {
  var prefix = "shequ-draft:" + window.location.pathname + ":";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-keep-draft]")) {
      return;
    }
    var typed = {};
    form.querySelectorAll("textarea[name], input[type=text][name]").forEach(function (field) {
      if (field.value) {
        typed[field.name] = field.value;
      }
    });
    // Ticked boxes too (the documents a reviewer returns), kept under "[]name" as the list of their values.
    form.querySelectorAll("input[type=checkbox][name]:checked").forEach(function (box) {
      (typed["[]" + box.name] = typed["[]" + box.name] || []).push(box.value);
    });
    try {
      window.sessionStorage.setItem(prefix + form.id, JSON.stringify(typed));
    } catch (error) { /* storage refused (private mode): nothing to keep */ }
  }, true);

  function restore() {
    var failed = document.querySelector("[data-message~='error'], [data-message~='warning']");
    document.querySelectorAll("form[data-keep-draft]").forEach(function (form) {
      var saved = null;
      try {
        saved = window.sessionStorage.getItem(prefix + form.id);
        window.sessionStorage.removeItem(prefix + form.id);
      } catch (error) { return; }
      if (!saved || !failed) {
        return;
      }
      var typed = JSON.parse(saved);
      Object.keys(typed).forEach(function (name) {
        if (name.indexOf("[]") === 0) {
          form.querySelectorAll("input[type=checkbox][name]").forEach(function (box) {
            if (box.name === name.slice(2) && typed[name].indexOf(box.value) !== -1) {
              box.checked = true;
            }
          });
          return;
        }
        var field = form.elements[name];
        if (field && !field.value) {
          field.value = typed[name];
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();

// Organization pickers (registry/widgets.py): a search result clicked becomes the field's chosen option; the field
// itself lists only chosen organizations, never every organization in scope.
document.addEventListener("click", function (event) {
  var pick = event.target.closest ? event.target.closest("[data-org-pick]") : null;
  var picker = pick ? pick.closest("[data-org-picker]") : null;
  if (!picker) {
    return;
  }
  var select = picker.querySelector("select");
  var option = null;
  for (var i = 0; i < select.options.length; i++) {
    if (select.options[i].value === pick.getAttribute("data-org-pick")) {
      option = select.options[i];
    }
  }
  if (!option) {
    option = new Option(pick.getAttribute("data-org-label"), pick.getAttribute("data-org-pick"));
    select.add(option);
  }
  option.selected = true;
  picker.querySelector(".org-picker-results").innerHTML = "";
  picker.querySelector("input[type=search]").value = "";
  select.dispatchEvent(new Event("change", { bubbles: true }));
});
