// A spy on the client script's authgate.signal: every login signal it sees
// is reported with note().
if (window.authgate) {
  var agSignal = authgate.signal;
  authgate.signal = function (reason) { note("signal:" + reason); return agSignal.apply(this, arguments); };
}
