// Details page of a mediator: "查看" fetches one unmasked field (the server audits each reveal).
(function () {
  var form = document.getElementById('reveal-form');
  if (!form) { return; }
  var errorBox = document.getElementById('reveal-error');
  document.querySelectorAll('.reveal-btn').forEach(function (button) {
    button.addEventListener('click', function () {
      var data = new FormData(form);
      data.append('id', button.dataset.id);
      data.append('field', button.dataset.field);
      fetch(form.dataset.url, {method: 'POST', body: data, credentials: 'same-origin'})
        .then(function (response) {
          return response.json().then(function (body) { return {ok: response.ok, body: body}; });
        })
        .then(function (result) {
          if (!result.ok) {
            errorBox.textContent = result.body.message;
            errorBox.classList.remove('d-none');
            return;
          }
          var cell = button.parentNode.querySelector('.reveal-value');
          cell.textContent = result.body.value;
          button.remove();
        });
    });
  });
})();
