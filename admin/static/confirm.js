// Flask-Admin's inline onclick handlers, as delegated listeners (the Content-Security-Policy
// refuses inline handlers): a button with data-confirm asks before it submits its form, and a
// bulk-action menu item (data-model-action) runs Flask-Admin's modelActions.execute.
document.addEventListener("click", function (event) {
  if (!event.target.closest) {
    return;
  }
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
    return;
  }
  var item = event.target.closest("[data-model-action]");
  if (item) {
    event.preventDefault();
    window.modelActions.execute(item.getAttribute("data-model-action"));
  }
});
