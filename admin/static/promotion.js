// Opening a round freezes every mediator's snapshot (seconds for a province): say so on the
// button and keep it from being pressed twice.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("open-round-form");
  if (!form) return;
  form.addEventListener("submit", function () {
    var button = document.getElementById("open-round-submit");
    button.disabled = true;
    button.textContent = button.getAttribute("data-busy");
  });
});
