package broadcasts

import (
	"context"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/schedule"
)

// Check applies the confirm rules to d without saving it: a valid
// broadcast, a time the scheduler can keep (lead time, readable cron, an
// end date still ahead) and at least one recipient. It returns the count
// and the status d would get: scheduled, or pending approval when the
// audience (an A/B test's whole audience) is over the approval threshold.
func (s *Service) Check(d *herald.Broadcast) (herald.Count, herald.Status, error) {
	now := s.opts.Now()
	d.Audience.Sample = d.Audience.Sample.Seeded(herald.NewSampleSeed)
	if d.Test != nil { // the test draws its own bands: A is the broadcast's sample
		d.Test = d.Test.Plan(herald.NewSampleSeed)
		d.Audience.Sample = d.Test.Band(1)
	}
	if d.Schedule.Kind == herald.SendNow && d.Schedule.At.IsZero() {
		d.Schedule.At = now.Add(s.opts.UndoDelay)
	}
	if err := d.Validate(); err != nil {
		return herald.Count{}, "", err
	}
	if err := schedule.Check(&d.Schedule, now, s.opts.MinLeadTime, s.opts.Location); err != nil {
		return herald.Count{}, "", err
	}
	cnt, err := s.opts.Store.Count(&d.Audience, d.Category, now)
	if err != nil {
		return cnt, "", wrap("count", d.ID, err)
	}
	if cnt.Total == 0 {
		return cnt, "", &herald.ValidationError{Field: "audience", Code: herald.CodeNoRecipients}
	}
	whole, err := s.wholeCount(d, cnt, now)
	if err != nil {
		return cnt, "", err
	}
	if th := s.opts.ApprovalThreshold; th > 0 && whole.Total > th {
		return cnt, herald.StatusPending, nil
	}
	return cnt, herald.StatusScheduled, nil
}

// wholeCount is who d reaches in the end, given cnt, its count now: an A/B
// test's count is variant A's share, but its variants and then the rest
// reach its whole audience, and that is what the approval threshold and
// the LINE quota weigh.
func (s *Service) wholeCount(d *herald.Broadcast, cnt herald.Count, now time.Time) (herald.Count, error) {
	if d.Test == nil {
		return cnt, nil
	}
	a := d.Audience
	a.Sample = nil
	whole, err := s.opts.Store.Count(&a, d.Category, now)
	if err != nil {
		return whole, wrap("count", d.ID, err)
	}
	return whole, nil
}

// Submit checks d (see Check) and saves it scheduled or pending approval:
// new when editID is empty, else in place of the broadcast being edited.
// A "send now" without a time goes out after the undo delay.
func (s *Service) Submit(ctx context.Context, d herald.Broadcast, editID string, who Actor) (herald.Broadcast, herald.Count, error) {
	cnt, status, err := s.Check(&d)
	if err == nil {
		var whole herald.Count
		if whole, err = s.wholeCount(&d, cnt, s.opts.Now()); err == nil {
			err = s.checkQuota(ctx, whole)
		}
	}
	if err != nil {
		return d, cnt, err
	}
	saved, from, err := s.save(d, editID, status, who.Key)
	if err != nil {
		return saved, cnt, err
	}
	action := "schedule"
	if status == herald.StatusPending {
		action = "submit"
	}
	detail := saved.Name
	if editID != "" {
		detail = "edited"
	}
	// Audited as before ("broadcast.scheduled"), published as "schedule".
	s.audit(who.Key, auditOf(status), saved.ID, detail)
	s.publish(ctx, herald.BroadcastChanged{Action: action, Broadcast: saved, From: from, Actor: who.Key, Where: who.Where, Count: cnt})
	return saved, cnt, nil
}

// SaveDraft saves d as a draft (new, or in place of editID): it goes
// nowhere until submitted. A draft needs only a name.
func (s *Service) SaveDraft(ctx context.Context, d herald.Broadcast, editID string, who Actor) (herald.Broadcast, error) {
	if d.Name == "" {
		return d, &herald.ValidationError{Field: "name", Code: herald.CodeRequired}
	}
	if len([]rune(d.Name)) > herald.MaxNameLen {
		return d, &herald.ValidationError{Field: "name", Code: herald.CodeTooLong, Limit: herald.MaxNameLen}
	}
	d.Audience.Sample = d.Audience.Sample.Seeded(herald.NewSampleSeed)
	// Quiet hours given are checked even on a draft: a malformed window
	// is better told now than when it is submitted.
	if q := d.Schedule.Quiet; q != nil {
		if err := q.Validate(); err != nil {
			return d, err
		}
	}
	if d.Schedule.Kind == herald.SendNow {
		d.Schedule.At = time.Time{} // set when it is submitted
	}
	saved, from, err := s.save(d, editID, herald.StatusDraft, who.Key)
	if err != nil {
		return saved, err
	}
	detail := saved.Name
	if editID != "" {
		detail = "edited"
	}
	s.audit(who.Key, auditOf(herald.StatusDraft), saved.ID, detail)
	s.publish(ctx, herald.BroadcastChanged{Action: "draft", Broadcast: saved, From: from, Actor: who.Key, Where: who.Where})
	return saved, nil
}

// auditOf names a submit in the audit log as it always was.
func auditOf(status herald.Status) string {
	if status == herald.StatusPending {
		return "broadcast.submit"
	}
	return "broadcast." + string(status)
}

// save creates d or replaces the edited broadcast, with status; a changed
// broadcast needs a fresh approval. It returns the status before.
func (s *Service) save(d herald.Broadcast, editID string, status herald.Status, actor string) (herald.Broadcast, herald.Status, error) {
	d.Status, d.UpdatedBy, d.ApprovedBy = status, actor, ""
	if editID == "" {
		d.ID, d.CreatedBy = "", actor
		if err := s.opts.Store.CreateBroadcast(&d); err != nil {
			return d, "", wrap("create", d.Name, err)
		}
		return d, "", nil
	}
	var from herald.Status
	saved, err := s.opts.Store.UpdateBroadcast(editID, func(b *herald.Broadcast) error {
		from = b.Status
		if b.Status != herald.StatusDraft && b.Status != status {
			if err := herald.Transition(b.Status, status); err != nil {
				return err
			}
		}
		d.ID, d.CreatedAt, d.CreatedBy, d.Runs, d.Origin = b.ID, b.CreatedAt, b.CreatedBy, b.Runs, b.Origin
		*b = d
		return nil
	})
	return saved, from, wrap("save", editID, err)
}
