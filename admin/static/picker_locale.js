// Flask-Admin's date pickers (filters, forms) speak English whatever the page's language:
// every daterangepicker call gets the page's labels, month and weekday names (read from
// #picker-locale, written by portal_master.html). form.js announces itself with
// "adminFormReady" after daterangepicker.js has loaded and before bs4_filters.js builds the
// active filters' pickers: that is the moment to wrap the plugin (DOM-ready is too late).
(function () {
  var data = document.getElementById("picker-locale");
  if (!data || !window.jQuery) { return; }
  var locale = JSON.parse(data.textContent);
  var $ = window.jQuery;
  function install() {
    var original = $.fn.daterangepicker;
    if (!original || original.portalLocale) { return; }
    var wrapped = function (options, callback) {
      return original.call(this, $.extend(true, {locale: locale}, options || {}), callback);
    };
    wrapped.portalLocale = true;
    $.fn.daterangepicker = wrapped;
  }
  $(document).on("adminFormReady", install);
  $(install);
})();
