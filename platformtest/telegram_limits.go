package platformtest

import (
	"strconv"
	"sync"
	"time"
)

// Telegram limits a bot per chat as well as overall: about one message a
// second to a private chat and twenty a minute to a group, answering 429
// with retry_after beyond that. The fake applies these when asked
// (LimitChats), so a test or the benchmark sees a dispatcher that sends to
// a group too often refused as the real API would refuse it.
type tgChatLimits struct {
	mu   sync.Mutex
	on   bool
	sent map[int64][]time.Time // recent sends per chat, oldest first
}

// Telegram's published per-chat limits.
const (
	tgPerPrivateChat = 1  // messages per second to one private chat
	tgPerGroup       = 20 // messages per minute to one group
)

// LimitChats turns Telegram's per-chat limits on or off: a request to a
// private chat that already got a message within the last second, or to a
// group that got 20 within the last minute, is answered 429.
func (t *Telegram) LimitChats(on bool) {
	l := &t.chatLimits
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on, l.sent = on, nil
}

// chatLimit counts a send to chat at now, or refuses it (a 429) when the
// chat's limit is reached.
func (t *Telegram) chatLimit(chat TelegramChat) *tgError {
	l := &t.chatLimits
	now := t.rec.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.on {
		return nil
	}
	window, most := time.Second, tgPerPrivateChat
	if chat.Type == "group" || chat.Type == "supergroup" {
		window, most = time.Minute, tgPerGroup
	}
	if l.sent == nil {
		l.sent = map[int64][]time.Time{}
	}
	ts := l.sent[chat.ID]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= window {
		i++
	}
	ts = ts[i:]
	if len(ts) >= most {
		secs := int((ts[0].Add(window).Sub(now) + time.Second - 1) / time.Second)
		l.sent[chat.ID] = ts
		return &tgError{status: 429, desc: "Too Many Requests: retry after " + strconv.Itoa(max(1, secs)), retryAfter: max(1, secs)}
	}
	l.sent[chat.ID] = append(ts, now)
	return nil
}
