package flows

import (
	"crypto/rand"
	"crypto/subtle"
	"strings"
	"sync"
	"time"

	"github.com/heraldbot/herald"
)

// testCodeTTL is how long a /testme code may be sent from the admin's own
// account: long enough to switch apps and type it, short enough that a
// code seen over a shoulder is soon worthless.
const testCodeTTL = 10 * time.Minute

// testCodeAlphabet has no 0/O or 1/I: a code is read off one screen and
// typed on a phone. 32 symbols, so a random byte maps to one without bias.
const testCodeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// testCodeLen is a code's length: 32^6, about a billion codes.
const testCodeLen = 6

// testCode is one admin's pending code.
type testCode struct {
	code    string // normalized: upper case, no separators
	admin   string // the admin key it makes a test recipient for
	expires time.Time
	// claimedBy is set once used; the code stays until it expires so a
	// webhook the platform delivers again gets the same answer.
	claimedBy herald.SubscriberKey
}

// testCodes are the pending one-time /testme codes, one per admin. They
// live in memory: a restart only means asking /testme for a new one.
type testCodes struct {
	mu      sync.Mutex
	byAdmin map[string]*testCode
}

// issue gives admin a fresh code, replacing any earlier one.
func (c *testCodes) issue(admin string, now time.Time) string {
	b := make([]byte, testCodeLen)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = testCodeAlphabet[int(b[i])%len(testCodeAlphabet)]
	}
	code := string(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byAdmin == nil {
		c.byAdmin = map[string]*testCode{}
	}
	c.byAdmin[admin] = &testCode{code: code, admin: admin, expires: now.Add(testCodeTTL)}
	return code
}

// claim uses the code text (as typed: any case, spaces and dashes
// ignored) for key. It returns the admin the code belongs to, and fresh
// is false when key had already claimed it (a redelivered webhook). Every
// pending code is compared in constant time.
func (c *testCodes) claim(text string, key herald.SubscriberKey, now time.Time) (admin string, fresh, ok bool) {
	typed := normalizeTestCode(text)
	if len(typed) != testCodeLen {
		return "", false, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var hit *testCode
	for a, tc := range c.byAdmin {
		if now.After(tc.expires) {
			delete(c.byAdmin, a)
			continue
		}
		if subtle.ConstantTimeCompare([]byte(tc.code), []byte(typed)) == 1 {
			hit = tc
		}
	}
	switch {
	case hit == nil:
		return "", false, false
	case hit.claimedBy == key:
		return hit.admin, false, true
	case hit.claimedBy != herald.SubscriberKey{}:
		return "", false, false // single use: someone else was first
	}
	hit.claimedBy = key
	return hit.admin, true, true
}

// normalizeTestCode turns " k7q-2m4 " into "K7Q2M4"; a long message is
// not a code.
func normalizeTestCode(s string) string {
	if len(s) > 64 {
		return ""
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\u3000' || r == '\u30fc':
			return -1
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII from a CJK keyboard
			r -= 0xFEE0
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}, strings.TrimSpace(s))
}

// showTestCode writes a code as two halves, "K7Q-2M4", easier to read.
func showTestCode(code string) string {
	return code[:testCodeLen/2] + "-" + code[testCodeLen/2:]
}

// release makes a claimed code usable again when its claim could not be
// saved: the platform delivers the webhook again and the claim is retried.
func (c *testCodes) release(admin string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tc := c.byAdmin[admin]; tc != nil {
		tc.claimedBy = herald.SubscriberKey{}
	}
}
