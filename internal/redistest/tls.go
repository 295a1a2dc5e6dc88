package redistest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TLSServer is a redis-server that also accepts TLS connections.
type TLSServer struct {
	*Server
	// TLSAddr is the address of the TLS port, 127.0.0.1:port.
	TLSAddr string
	// RootCAs trusts the server's self-signed certificate.
	RootCAs *x509.CertPool
}

// StartTLS runs a redis-server like Start that also listens for TLS on a
// second port, with a fresh self-signed certificate for 127.0.0.1. Clients
// need not present a certificate. extra holds more command-line arguments.
func StartTLS(t testing.TB, extra ...string) *TLSServer {
	t.Helper()
	bin, _ := lookTools(t, false)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	cert, err := writeCert(certFile, keyFile)
	if err != nil {
		t.Fatalf("making a test certificate: %v", err)
	}
	port, err := FreePort()
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	s := start(t, bin, append([]string{
		"--tls-port", strconv.Itoa(port),
		"--tls-cert-file", certFile,
		"--tls-key-file", keyFile,
		"--tls-ca-cert-file", certFile,
		"--tls-auth-clients", "no",
	}, extra...))
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &TLSServer{
		Server:  s,
		TLSAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		RootCAs: pool,
	}
}

// writeCert writes a self-signed certificate for 127.0.0.1 and its key as
// PEM files.
func writeCert(certFile, keyFile string) (*x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "redistest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
