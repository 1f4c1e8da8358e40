// Package dispatch delivers broadcasts: it snapshots a broadcast's audience
// into a run, then per-channel workers render, send (within each platform's
// rate limits, retrying what may be retried) and checkpoint every
// recipient's outcome in storage. Senders for each platform live in
// dispatch/line, dispatch/telegram and dispatch/messenger.
//
// # Exactly once, and the crash bound
//
// Storage is the truth. A run's recipients are written as pending records
// before anything is sent; a recipient's outcome is written after its send
// returns, in group commits of at most Options.CommitBatch outcomes or
// Options.CommitInterval, whichever comes first; a job's recipients (a LINE
// multicast) are always committed together. A restarted process resumes a
// run by sending to the records still pending. So after a kill -9:
//
//   - no recipient is lost: a record leaves pending only with its outcome;
//   - at most the in-flight jobs plus the outcomes not yet committed are
//     sent again: Options.Workers jobs per channel in flight, Options.Workers
//     jobs queued for the committer, and one commit batch (at most
//     Options.CommitBatch outcomes, or what CommitInterval gathered);
//   - on LINE none are: every push and multicast carries an X-Line-Retry-Key
//     derived from the run ID, the batch's first and last Seq, its size and
//     its content (UUID version 5), so a resend after restart is answered
//     409 and counted as sent. This holds as long as the batch is formed
//     from the same pending recipients, which it is unless a recipient's
//     subscriber state changed while the process was down.
//
// # Choices
//
//   - Recipients are re-read when their turn comes: one who unsubscribed,
//     was blocked or erased since the snapshot is skipped; one in an open
//     operator chat is held (outcome held) unless the broadcast ends open
//     chats; a Messenger marketing recipient outside the 24-hour window is
//     skipped (outside_window) without a request.
//   - A run whose other recipients are done waits, still sending, for its
//     held ones; Release (called when an operator chat closes) delivers
//     them and the last one completes the run. Cancel ends the wait.
//   - The failure threshold counts permanent failures other than "blocked":
//     people blocking the bot say nothing about the broadcast.
//   - A 429 is not a try: the worker waits what the platform said, the
//     channel's limiter pauses for everyone and slows by a fifth, then
//     recovers by 1% per success. Temporary errors (5xx, network) back off
//     exponentially with jitter, Backoff.MaxAttempts tries in all.
//   - Rate limits space requests evenly (no bursts) at Limits.Headroom of
//     the platform's rate, so no one-second window exceeds it.
//   - Content that needs several requests for one recipient (a Telegram
//     album with buttons, Messenger text too long for a template) is one
//     job; the senders space requests to one chat themselves.
//
// # Control
//
// A run's status in storage is the truth for pause, resume and cancel; the
// engine polls it (Options.ControlPoll) so a change made anywhere takes
// effect within a second, and survives a restart. Workers stop taking new
// recipients when paused; in-flight sends finish and are committed.
package dispatch
