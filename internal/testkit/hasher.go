package testkit

import "github.com/authgate/authgate"

// Hasher is an [authgate.Argon2id] with the least memory and time it
// accepts, so that a test signs in within microseconds. Its hashes are
// ordinary PHC strings that the default hasher verifies too.
var Hasher authgate.PasswordHasher = authgate.Argon2id{Memory: 64, Time: 1}
