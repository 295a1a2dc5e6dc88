// A seed's own jQuery snippet, verbatim.
$(document).ready(function () {
  $(document).ajaxComplete(function (event, request, options) {
    if (request.responseText === "MASONITE_LOGIN_REQUIRED") {
      window.location.href = "/login";
    }
  });
});
