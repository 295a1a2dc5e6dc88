package authgate

// Load is what a [Gate] holds at one moment against floods: its password
// hashes and its throttle. [Gate.Load] reports it, for metrics and health
// pages; none of it is a secret.
type Load struct {
	// HashesRunning is how many password hashes run now, at most
	// [HashLimitConfig.Running].
	HashesRunning int
	// HashesWaiting is how many sign-ins wait for a hash, at most
	// [HashLimitConfig.Waiting].
	HashesWaiting int
	// ThrottleCounting is how many failure counters (per address, per
	// login, per login and address) the throttle holds below their limit.
	ThrottleCounting int
	// ThrottleLimited is how many have reached their limit: lockouts and
	// delays in force, or ended within the last window.
	ThrottleLimited int
}

// Load reports the gate's load now. It takes two short locks and does not
// allocate, so a metrics scrape may call it as often as it likes.
func (g *Gate) Load() Load {
	var l Load
	l.HashesRunning, l.HashesWaiting = g.hashes.load()
	l.ThrottleCounting, l.ThrottleLimited = g.throttle.load()
	return l
}
