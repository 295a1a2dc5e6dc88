package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"

	jose "github.com/go-jose/go-jose/v4"
)

// signingKey is the RSA key the provider signs ID tokens with, made at
// start: tokens signed before a restart no longer verify after it.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func newSigningKey() (*signingKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 8)
	rand.Read(id)
	return &signingKey{id: hex.EncodeToString(id), key: key}, nil
}

// SignatureAlgorithm, Key and ID make a signingKey an [op.SigningKey].
func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is the public half of a signingKey, as an [op.Key] of the key set.
type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.key.PublicKey }
