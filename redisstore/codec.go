package redisstore

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/authgate/authgate"
)

// Records are Redis hashes of strings. Times are Unix microseconds in
// decimal, which the Lua scripts can compare and which reach far beyond any
// session's deadline (nanoseconds overflow in 2262); the zero time is the
// empty string. Durations are nanoseconds.

// Hash field names. Short, since every session carries them.
const (
	fUser     = "u"  // user id
	fName     = "n"  // display name, key name or user name
	fCreated  = "c"  // created at
	fSeen     = "ls" // session LastSeen, key LastUsed
	fIdle     = "i"  // session idle timeout
	fExpires  = "x"  // session Expires, key ExpiresAt
	fRevoked  = "r"  // "1" once revoked, else "0"
	fAgent    = "ua" // session User-Agent
	fAddress  = "a"  // session client address
	fID       = "id" // key id, user id
	fSecret   = "sh" // key secret hash, hex
	fLogin    = "l"  // user login
	fPassword = "pw" // user password hash
)

// errDamaged says a record in Redis could not be decoded.
var errDamaged = errors.New("redisstore: damaged record")

// fmtTime encodes t as Unix microseconds, or "" for the zero time.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMicro(), 10)
}

// parseTime decodes what fmtTime encodes.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: bad time %q", errDamaged, s)
	}
	return time.UnixMicro(n), nil
}

// unixMillisCeil returns t in Unix milliseconds, rounded up, so that a key
// that expires then still exists at t.
func unixMillisCeil(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.Nanosecond()%1e6 > 0 {
		ms++
	}
	return ms
}

func fmtBool(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// Records are read with HMGET and a fixed list of fields, so that a cached
// reply decodes without building a map. The lists are in schema; the
// indexes below say where each field is in them.

// Indexes into schema.session.
const (
	sUser = iota
	sName
	sCreated
	sSeen
	sIdle
	sExpires
	sRevoked
	sAgent
	sAddress
)

// Indexes into schema.key.
const (
	kID = iota
	kSecret
	kName
	kUser
	kCreated
	kExpires
	kUsed
	kRevoked
)

// Indexes into schema.user.
const (
	uID = iota
	uLogin
	uName
	uPassword
	uCreated
)

// schema lists the fields that a read of each kind of record asks for.
type schema struct {
	session, key, user []string
}

func newSchema() schema {
	return schema{
		session: []string{fUser, fName, fCreated, fSeen, fIdle, fExpires, fRevoked, fAgent, fAddress},
		key:     []string{fID, fSecret, fName, fUser, fCreated, fExpires, fSeen, fRevoked},
		user:    []string{fID, fLogin, fName, fPassword, fCreated},
	}
}

// decoder reads the values of an HMGET reply and keeps the first error.
type decoder struct {
	vals []rueidis.RedisMessage
	err  error
}

// newDecoder checks an HMGET reply for want fields. found is false when
// the record does not exist: its first field, which every record has, is
// nil.
func newDecoder(r rueidis.RedisResult, want int) (d decoder, found bool, err error) {
	vals, err := r.ToArray()
	if err != nil {
		return d, false, err
	}
	if len(vals) != want {
		return d, false, fmt.Errorf("%w: %d fields, want %d", errDamaged, len(vals), want)
	}
	if vals[0].IsNil() {
		return d, false, nil
	}
	return decoder{vals: vals}, true, nil
}

func (d *decoder) str(i int) string {
	v, err := d.vals[i].ToString()
	if err != nil && d.err == nil {
		d.err = fmt.Errorf("%w: field %d: %v", errDamaged, i, err)
	}
	return v
}

func (d *decoder) time(i int) time.Time {
	t, err := parseTime(d.str(i))
	if err != nil && d.err == nil {
		d.err = err
	}
	return t
}

func (d *decoder) duration(i int) time.Duration {
	n, err := strconv.ParseInt(d.str(i), 10, 64)
	if err != nil && d.err == nil {
		d.err = fmt.Errorf("%w: bad duration in field %d", errDamaged, i)
	}
	return time.Duration(n)
}

func (d *decoder) bool(i int) bool { return d.str(i) == "1" }

func (d *decoder) hash(i int) authgate.Hash {
	var h authgate.Hash
	s := d.str(i)
	if len(s) != hex.EncodedLen(len(h)) {
		if d.err == nil {
			d.err = fmt.Errorf("%w: bad hash in field %d", errDamaged, i)
		}
		return h
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil && d.err == nil {
		d.err = fmt.Errorf("%w: bad hash in field %d", errDamaged, i)
	}
	return h
}

// sessionFields encodes s as hash field-value pairs.
func sessionFields(s authgate.Session) []string {
	return []string{
		fUser, s.UserID,
		fName, s.UserName,
		fCreated, fmtTime(s.CreatedAt),
		fSeen, fmtTime(s.LastSeen),
		fIdle, strconv.FormatInt(int64(s.IdleTimeout), 10),
		fExpires, fmtTime(s.Expires),
		fRevoked, fmtBool(s.Revoked),
		fAgent, s.UserAgent,
		fAddress, s.Address,
	}
}

// decodeSession decodes a session record read with schema.session.
func decodeSession(id authgate.Hash, d decoder) (authgate.Session, error) {
	s := authgate.Session{
		ID:          id,
		UserID:      d.str(sUser),
		UserName:    d.str(sName),
		CreatedAt:   d.time(sCreated),
		LastSeen:    d.time(sSeen),
		IdleTimeout: d.duration(sIdle),
		Expires:     d.time(sExpires),
		Revoked:     d.bool(sRevoked),
		UserAgent:   d.str(sAgent),
		Address:     d.str(sAddress),
	}
	return s, d.err
}

// keyFields encodes k as hash field-value pairs.
func keyFields(k authgate.APIKey) []string {
	return []string{
		fID, k.ID,
		fSecret, k.SecretHash.String(),
		fName, k.Name,
		fUser, k.UserID,
		fCreated, fmtTime(k.CreatedAt),
		fExpires, fmtTime(k.ExpiresAt),
		fSeen, fmtTime(k.LastUsed),
		fRevoked, fmtBool(k.Revoked),
	}
}

// decodeKey decodes an API key record read with schema.key.
func decodeKey(d decoder) (authgate.APIKey, error) {
	k := authgate.APIKey{
		ID:         d.str(kID),
		SecretHash: d.hash(kSecret),
		Name:       d.str(kName),
		UserID:     d.str(kUser),
		CreatedAt:  d.time(kCreated),
		ExpiresAt:  d.time(kExpires),
		LastUsed:   d.time(kUsed),
		Revoked:    d.bool(kRevoked),
	}
	return k, d.err
}

// userFields encodes u as hash field-value pairs.
func userFields(u authgate.User) []string {
	return []string{
		fID, u.ID,
		fLogin, u.Login,
		fName, u.Name,
		fPassword, u.PasswordHash,
		fCreated, fmtTime(u.CreatedAt),
	}
}

// decodeUser decodes a user record read with schema.user.
func decodeUser(d decoder) (authgate.User, error) {
	u := authgate.User{
		ID:           d.str(uID),
		Login:        d.str(uLogin),
		Name:         d.str(uName),
		PasswordHash: d.str(uPassword),
		CreatedAt:    d.time(uCreated),
	}
	return u, d.err
}
