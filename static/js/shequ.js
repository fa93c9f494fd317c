// Small behaviours without inline scripts (the Content-Security-Policy allows scripts from this site only).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-submit-on-change]") && field.form) {
    field.form.submit();
  }
});
