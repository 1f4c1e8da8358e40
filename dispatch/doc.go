// Package dispatch delivers broadcasts: it snapshots a broadcast's audience
// into a run, then per-channel workers render, send (within each platform's
// rate limits, retrying what may be retried) and checkpoint every
// recipient's outcome in storage. Each platform's sender lives in its own
// sub-package and brings what the engine must know of its platform: its
// rate classes (RateLimited), whether it multicasts (Multicaster) and whom
// it may reach without asking (Gate). The engine knows no platform by
// name: a new one is a new sub-package plus wiring in cmd/bot.
//
// # Exactly once, and the crash bound
//
// Storage is the truth. A run's recipients are written as pending records
// before anything is sent; a recipient's outcome is written after its send
// returns, in group commits of at most Options.CommitBatch outcomes or
// Options.CommitInterval, whichever comes first; a job's recipients (a
// multicast: a LINE multicast, a Messenger batch) are committed together,
// except that a batch answered person by person (EachError) has its final
// outcomes committed before those sent again. A commit is written while the
// next gathers (the senders do not wait for the disk), but the outcomes
// being written and those gathered together stay under CommitBatch: the
// bound below is one batch either way. A restarted process resumes a
// run by sending to the records still pending. So after a kill -9:
//
//   - no recipient is lost: a record leaves pending only with its outcome;
//   - at most the in-flight jobs plus the outcomes not yet committed are
//     sent again: Options.Workers jobs per channel in flight, Options.Workers
//     jobs queued for the committer, and one commit batch (a job is one
//     request's recipients: one person, or a multicast's up to its size) (at most
//     Options.CommitBatch outcomes, or what CommitInterval gathered). A
//     message waiting between its parts for the chat's gap (lane.go) has
//     the parts it got recorded (Delivery.PartsDone, in the next group
//     commit, long before a gap of a second has passed), so it is sent
//     again from the rest;
//   - on a platform that deduplicates on a retry key, none are: every
//     message to it carries Message.RetryKey derived from the run ID, the batch's
//     first and last Seq, its size and its content (UUID version 5), so a
//     resend after restart is answered as already accepted and counted as
//     sent. This holds as long as the batch is formed
//     from the same pending recipients, which it is unless a recipient's
//     subscriber state changed while the process was down.
//
// Those sent again are known: before a chunk of recipients' requests leave
// (16×Workers, at most CommitBatch), the pager has them marked in flight in
// the committer's next group commit, and the senders wait for it; an
// outcome clears the mark in its commit. A resumed run finds the marks
// left (the uncertain: those in flight, the uncommitted outcomes, and at
// most two marked chunks not yet sent), counts them in Tally.Uncertain and
// sends them again or skips them (ReasonUncertain) as Options.OnUncertain
// says; a Deduplicator's recipients are never marked. A pause or shutdown
// unmarks what it did not send.
//
// # Choices
//
//   - Recipients are re-read when their turn comes: one who unsubscribed,
//     was blocked or erased since the snapshot is skipped; one in an open
//     operator chat is held (outcome held) unless the broadcast ends open
//     chats; one the sender's Gate refuses (a marketing message outside a
//     messaging window) is skipped (outside_window) without a request.
//   - A run whose other recipients are done waits, still sending, for its
//     held ones; Release (called when an operator chat closes) delivers
//     them and the last one completes the run. Cancel ends the wait.
//   - The failure threshold counts permanent failures other than "blocked":
//     people blocking the bot say nothing about the broadcast.
//   - A 429 is not a try: the worker waits what the platform said, the
//     channel's limiter pauses for everyone and slows by a fifth, then
//     recovers by 1% per success. Temporary errors (5xx, network) back off
//     exponentially with jitter, Backoff.MaxAttempts tries in all.
//   - A multicast whose recipients are answered one by one (a Messenger
//     batch: EachError) records each final outcome at once and sends
//     again, as one smaller job, only the recipients rate limited (not a
//     try) or failed temporarily (a try); a call the platform left
//     unanswered is temporary, so it may arrive twice, as after a timeout.
//     A run that stops while they wait leaves uncertain only those whose
//     calls may have arrived (job.unsure), not the rate limited.
//     A Multicaster that is a ContentMulticaster multicasts only the
//     content it says it can (Messenger: one request per person). Only
//     content that is the same for everyone (not personalised, no
//     tracked links) is multicast, unless the Multicaster is a
//     PersonalMulticaster (Messenger: a body per batch call): then the
//     pager gives each recipient their own content (Message.Contents),
//     rendered as for a job of their own, and settleEach keeps each one's
//     with them when it sends some again.
//   - Rate limits space requests evenly (no bursts) at Limits.Headroom of
//     the platform's rate, so no one-second window exceeds it. Each sender
//     declares the classes its requests count against (RateClass); the
//     engine keeps one limiter per class name, whatever the platform.
//   - Content that needs several requests for one recipient (an album
//     with buttons, text too long for a template, more messages than one
//     request carries) is one job; each request after the first waits for
//     the class's gap to that chat (RateClass.ChatGap, GroupGap) and for
//     the channel's limiter (Message.Paced), so the limit holds per
//     request, not per job.
//   - Waiting for a chat's gap holds nothing (lane.go): a job whose next
//     request may not leave yet (a group's gap, the second part to a
//     chat) gives back its token, leaves its worker (NotYet) and waits in
//     the channel's due queue, which hands it back to the workers when
//     the gap has passed; so users go on at the class's rate while groups
//     and second parts wait. The class's GroupGap holds between any two
//     requests to one group, across messages, runs and test sends; group
//     requests take at most a quarter of the workers' share of tokens. A
//     sender that deduplicates gives each part a retry key derived from
//     the job's, so a job sent again is not delivered twice.
//     A sender whose request fails
//     after earlier parts of the job went out says so with a PartialError:
//     a retry (429, 5xx) starts from the failed part (Message.FromPart), so
//     on every platform nobody gets a part twice; a final failure records
//     how many parts each recipient got (Delivery.PartsDone), and "Retry
//     failed" sends them only the rest.
//   - A recipient whose chat moved to a new ID (a group upgraded by its
//     platform) is found under its old one and sent to where it is now.
//     A sender that learns of the move records it and answers
//     ErrRecipientMoved; the job is prepared again and sent once more. A
//     chat known under both IDs is merged in storage, and the run's record
//     that no longer owns it is skipped (duplicate): one message per chat.
//
// # Memory
//
// A run holds no per-recipient state beyond the jobs in flight (those
// waiting in a channel's due queue too: at most what the channel sends
// within one chat gap) and one commit batch: the snapshot streams the
// audience (Seqs from the index's bitmap, records a chunk per read
// transaction) and each channel pages its pending records. What stays
// resident is the audience index (about 36 MB for a million subscribers
// without tags or attributes) and the bbolt pages read since storage last
// dropped them from the process (storage.Options.TrimEvery, and after
// every few MB a bulk stream reads). The pager reads its recipients'
// subscribers by the Seq the snapshot recorded (Store.Recipients), not
// through the key index: Seq order is the order the pager walks, while IDs
// sort apart from it, and one page of recipients looked up by key touched
// hundreds of index pages, each fault mapping 64 KiB (the 20 MB burst that
// made the peak as sending began). On the 2-core development machine
// `herald bench dispatch -n 1000000 -channel all` peaks (VmHWM) at
// 90–94 MB, 62–63 MB of it anonymous under the default 66 MB memory limit
// (it was 112–123 MB, then 93–103 at 72 MB); most of the rest is the
// binary's code, 22–24 MB.
//
// # Control
//
// A run's status in storage is the truth for pause, resume and cancel; the
// engine polls it (Options.ControlPoll) so a change made anywhere takes
// effect within a second, and survives a restart. Workers stop taking new
// recipients when paused; in-flight sends finish and are committed.
package dispatch
