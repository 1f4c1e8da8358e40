package herald

import (
	"errors"
	"fmt"
	"time"
)

// Errors shared by every package. Edges translate platform and database
// errors into these so that inner code can decide with errors.Is / errors.As.
var (
	// ErrNotFound is returned when a broadcast, subscriber, run or session
	// does not exist. It is never signalled with a nil result.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a write would break a uniqueness rule,
	// e.g. a second unfinished broadcast with the same name.
	ErrConflict = errors.New("conflict")
	// ErrForbidden is returned when the actor may not do what was asked.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalidTransition is returned when a status change is not allowed.
	ErrInvalidTransition = errors.New("invalid status transition")
	// ErrRecipientGone means the platform says the recipient can no longer be
	// reached (blocked the bot, deactivated, unknown). The subscriber is
	// marked blocked and later audiences skip it.
	ErrRecipientGone = errors.New("recipient unreachable")
	// ErrOutsideWindow means Messenger refused a message outside the 24-hour
	// window without a valid message tag. It is not retried.
	ErrOutsideWindow = errors.New("outside the messaging window")
)

// RetryAfterError is a platform's "too many requests": wait After, then try
// again. It does not count as a failure of the recipient.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s: %v", e.After, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// TemporaryError marks a failure worth retrying with backoff (5xx, network).
type TemporaryError struct{ Err error }

func (e *TemporaryError) Error() string { return "temporary: " + e.Err.Error() }
func (e *TemporaryError) Unwrap() error { return e.Err }

// ValidationError says which field of a value is wrong and why. Code is a
// stable machine word (flows and the API turn it into a localized sentence);
// Field uses the same dotted names as the API's JSON.
type ValidationError struct {
	Field string
	Code  string
	// Limit carries the bound that was broken, when there is one.
	Limit int
}

func (e *ValidationError) Error() string {
	if e.Limit != 0 {
		return fmt.Sprintf("%s: %s (limit %d)", e.Field, e.Code, e.Limit)
	}
	return e.Field + ": " + e.Code
}

// Validation codes used by ValidationError.
const (
	CodeRequired = "required"
	CodeTooLong  = "too_long"
	CodeTooMany  = "too_many"
	CodeInvalid  = "invalid"
	CodeUnknown  = "unknown"
	CodeInPast   = "in_past"
	// CodeTooSoon: a send time closer than the least lead time (config
	// flows.min_lead_time); Limit is that time in minutes.
	CodeTooSoon = "too_soon"
	// CodeEmptySpan: a daily span (quiet hours) that ends when it starts.
	CodeEmptySpan = "empty_span"
	// CodeNoRecipients: an audience that reaches nobody now.
	CodeNoRecipients = "no_recipients"
)

func invalid(field, code string, limit int) error {
	return &ValidationError{Field: field, Code: code, Limit: limit}
}
