// Package redisstore keeps authgate's sessions, API keys and users in Redis,
// so that several instances of an app behind a load balancer share them.
// It works with a single Redis server and with a Redis Cluster.
//
// # Reads cost no round trip
//
// Session and Key use Redis's server-assisted client-side caching (RESP3
// CLIENT TRACKING, through github.com/redis/rueidis): a record found by one
// read is cached by the next and served from memory until Redis says it
// changed. A record not found is never cached, so forged session tokens
// leave nothing in Redis's tracking table, which would otherwise fill and
// evict real sessions from every instance's cache.
// When any instance touches or revokes a session, Redis pushes an
// invalidation to every client that holds it, so a sign-out on one instance
// is seen by the others within milliseconds. A cached record also lapses
// after Options.CacheTTL, and never outlives its Redis key. If the
// connection drops, the cache is emptied with it, so an outage is reported
// as an error and never answered from stale memory. An instance reads the
// records it wrote itself from Redis for CacheTTL afterwards, since Redis
// sends the invalidation just after the reply to the write.
//
// # Redis cleans up by itself
//
// A session's record expires in Redis at the session's absolute deadline
// (PEXPIREAT), and so does the index of a user's sessions once the last of
// them has. An API key with an expiry is kept for KeyRetention past it, so
// that listings still show it as expired; a key without one is kept until
// it is deleted from Redis.
//
// # Key layout
//
// With the default prefix "ag:":
//
//	ag:s:<sha256 hex>         hash  a session, keyed by the hash of its token
//	ag:k:<key id>             hash  an API key
//	ag:{u:<user id>}:sessions zset  a user's session ids, scored by deadline
//	ag:{u:<user id>}:keys     set   a user's key ids
//	ag:user:<user id>         hash  a user
//	ag:login:<login>          string the id of the user with that login
//	ag:users                  set   every user id
//	ag:idp:<n>:<issuer><sub>  string the id of the user an identity provider's
//	                          account is linked to (n: the issuer's length)
//	{ag:user:<user id>}:idps  zset  the accounts linked to a user, as
//	                          hex(issuer) " " hex(subject); a link holds
//	                          while this and ag:idp:... agree
//
// The hash tag {u:<user id>} keeps a user's two indexes in one cluster
// slot, and {ag:user:<user id>} keeps a user's links with the user's
// record, so that deleting a user unlinks its accounts in the same script.
// Every other command touches one key, and an operation that spans several
// records (revoke all of a user's sessions, say) sends one command per
// record, so nothing needs a transaction across slots. Writes that must
// check a record first (create only if absent, move a time only forward,
// revoke only if present) are Lua scripts on one key, or on two in one
// slot.
package redisstore
