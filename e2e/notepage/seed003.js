// A seed's own jQuery snippet, verbatim.
$.ajaxSetup({statusCode: {418: function () { window.location.reload(); }}})
