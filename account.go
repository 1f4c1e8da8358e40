package herald

import (
	"fmt"
	"strings"
)

// Account is one bot, channel or page of a platform that Herald runs (an
// agency's brands, a shop and its support desk). Name is the short name
// the operator gave it in config; "" is the platform's default account,
// the one today's single-account settings configure, so that everything
// stored before accounts existed belongs to it unchanged.
type Account struct {
	Platform Platform
	Name     string
}

// MaxAccountNameLen is the longest account name config accepts.
const MaxAccountNameLen = 32

// ValidAccountName reports whether name can name an account: 1 to
// MaxAccountNameLen lowercase letters, digits, '-' or '_', starting with a
// letter, so it reads well in a URL path, a one-liner and a CSV.
func ValidAccountName(name string) bool {
	if name == "" || len(name) > MaxAccountNameLen || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// IsDefault reports whether a is its platform's default account.
func (a Account) IsDefault() bool { return a.Name == "" }

// String renders a as admins type it: "line" for the default account,
// "line:shop" for a named one.
func (a Account) String() string {
	if a.Name == "" {
		return string(a.Platform)
	}
	return string(a.Platform) + ":" + a.Name
}

// ParseAccount reads an account as admins type it: "line:shop",
// "line/shop", "line@shop" or "line · shop", or a bare platform ("line",
// the platform's default account). The name is not checked against
// config: the caller knows which accounts exist.
func ParseAccount(s string) (Account, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, ":/@·")
	if i < 0 {
		p, err := ParsePlatform(s)
		return Account{Platform: p}, err
	}
	p, err := ParsePlatform(s[:i])
	if err != nil {
		return Account{}, err
	}
	_, size := firstRune(s[i:])
	name := strings.ToLower(strings.TrimSpace(s[i+size:]))
	if !ValidAccountName(name) {
		return Account{}, fmt.Errorf("invalid account name %q", name)
	}
	return Account{Platform: p, Name: name}, nil
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// OfAccount is how many of the count are acc's subscribers.
func (c *Count) OfAccount(acc Account) int {
	if c.ByAccount == nil { // nobody of a named account: all are the default's
		if acc.Name == "" {
			return c.ByPlatform[acc.Platform]
		}
		return 0
	}
	return c.ByAccount[acc]
}

// AccountOf is the account a subscriber belongs to.
func (s *Subscriber) AccountOf() Account { return Account{Platform: s.Platform, Name: s.Account} }

// AccountOf is the account a subscriber key belongs to.
func (k SubscriberKey) AccountOf() Account { return Account{Platform: k.Platform, Name: k.Account} }

// MarshalText writes a as String does, so that maps keyed by account
// (a report's breakdown) encode as JSON objects.
func (a Account) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads what MarshalText wrote.
func (a *Account) UnmarshalText(b []byte) error {
	acc, err := ParseAccount(string(b))
	if err != nil {
		return err
	}
	*a = acc
	return nil
}
