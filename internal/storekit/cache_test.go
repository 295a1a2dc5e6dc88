package storekit

import (
	"strconv"
	"testing"
)

// TestCacheFill: a fill that read before a change to its own key, or
// before a Clear, is refused; changes to other keys leave it be, however
// many come, except that past maxChanged of them only the fills in flight
// are refused.
func TestCacheFill(t *testing.T) {
	tests := []struct {
		name   string
		during func(c *Cache[string, int]) // between Generation and Fill
		want   bool                        // whether the fill is kept
	}{
		{"nothing", func(c *Cache[string, int]) {}, true},
		{"another key put", func(c *Cache[string, int]) { c.Put("b", 2) }, true},
		{"another key updated", func(c *Cache[string, int]) { c.Update("b", func(v *int) { *v++ }) }, true},
		{"another key deleted", func(c *Cache[string, int]) { c.Delete("b") }, true},
		{"many other keys", func(c *Cache[string, int]) {
			for i := range maxChanged - 1 {
				c.Delete(strconv.Itoa(i))
			}
		}, true},
		{"the key put", func(c *Cache[string, int]) { c.Put("a", 3) }, false},
		{"the key updated", func(c *Cache[string, int]) { c.Update("a", func(v *int) { *v++ }) }, false},
		{"the key deleted", func(c *Cache[string, int]) { c.Delete("a") }, false},
		{"cleared", func(c *Cache[string, int]) { c.Clear() }, false},
		{"the key, then more keys than are remembered", func(c *Cache[string, int]) {
			c.Delete("a")
			for i := range maxChanged + 1 {
				c.Delete(strconv.Itoa(i))
			}
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCache[string, int](4096)
			c.Put("a", 0)
			c.Delete("a") // a miss, as before a read
			g := c.Generation()
			tc.during(c)
			c.Fill(g, "a", 1)
			v, ok := c.Get("a")
			if kept := ok && v == 1; kept != tc.want {
				t.Errorf("after the fill Get = %d, %v; want the fill kept: %v", v, ok, tc.want)
			}
			// A fill that reads after the changes is kept.
			c.Delete("a")
			g = c.Generation()
			c.Fill(g, "a", 5)
			if v, ok := c.Get("a"); !ok || v != 5 {
				t.Errorf("a later fill: Get = %d, %v; want 5, true", v, ok)
			}
		})
	}
}

// TestCacheBounds: the cache holds at most its size, and the record of
// changed keys at most maxChanged.
func TestCacheBounds(t *testing.T) {
	c := NewCache[int, int](10)
	for i := range 3 * maxChanged {
		c.Put(i, i)
	}
	if n := c.Len(); n != 10 {
		t.Errorf("Len = %d, want 10", n)
	}
	if n := len(c.changed); n > maxChanged {
		t.Errorf("%d changed keys remembered, want at most %d", n, maxChanged)
	}
}
