package api

import (
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldbot/herald"
)

// Limits on what integrations may store per subscriber.
const (
	maxTags       = 100
	maxTagLen     = 64
	maxAttrs      = 100
	maxAttrKeyLen = 64
	maxAttrValLen = 1024
)

// subscriberKey reads {platform}/{id} from the path; a named account's
// subscriber is at {platform}@{account}/{id} ("line@shop/U123").
func subscriberKey(r *http.Request) (herald.SubscriberKey, error) {
	platform, account, named := strings.Cut(r.PathValue("platform"), "@")
	p, err := herald.ParsePlatform(platform)
	if err != nil || named && !herald.ValidAccountName(account) {
		return herald.SubscriberKey{}, &herald.ValidationError{Field: "platform", Code: herald.CodeInvalid}
	}
	id := strings.TrimSpace(r.PathValue("id"))
	if err := herald.ValidateSubscriberID(id); err != nil {
		return herald.SubscriberKey{}, err
	}
	return herald.SubscriberKey{Platform: p, Account: account, ID: id}, nil
}

type upsertRequest struct {
	Kind       *string            `json:"kind"`
	Name       *string            `json:"name"`
	Locale     *string            `json:"locale"`
	Timezone   *string            `json:"timezone"`
	Tags       *[]string          `json:"tags"`
	Attributes *map[string]string `json:"attributes"`
	State      *string            `json:"state"`
}

// upsertSubscriber creates or updates a subscriber; fields left out keep
// their value, tags and attributes given replace the old ones.
func (s *Server) upsertSubscriber(w http.ResponseWriter, r *http.Request, actor string) {
	key, err := subscriberKey(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req upsertRequest
	if !decode(w, r, &req) {
		return
	}
	if err := checkUpsert(&req); err != nil {
		s.fail(w, r, err)
		return
	}
	var isNew bool
	sub, err := s.opts.Store.UpdateSubscriber(key, func(sub *herald.Subscriber, created bool) error {
		isNew = created
		if created {
			sub.Kind, sub.State, sub.FirstSeen = herald.KindUser, herald.Subscribed, s.opts.Now()
		}
		setIf(&sub.Name, req.Name)
		setIf(&sub.Locale, req.Locale)
		setIf(&sub.Timezone, req.Timezone)
		if req.Kind != nil {
			sub.Kind = herald.SubscriberKind(*req.Kind)
		}
		if req.State != nil {
			sub.State = herald.SubscriberState(*req.State)
		}
		if req.Tags != nil {
			sub.SetTags(*req.Tags)
		}
		if req.Attributes != nil {
			sub.Attributes = *req.Attributes
		}
		return sub.Validate()
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status, action := http.StatusOK, "subscriber.update"
	if isNew {
		status, action = http.StatusCreated, "subscriber.create"
	}
	s.audit(actor, action, key.String(), "")
	writeJSON(w, status, toSubscriberJSON(sub))
}

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = strings.TrimSpace(*v)
	}
}

func checkUpsert(req *upsertRequest) error {
	if req.State != nil && *req.State != string(herald.Subscribed) && *req.State != string(herald.Unsubscribed) {
		return &herald.ValidationError{Field: "state", Code: herald.CodeInvalid}
	}
	if req.Tags != nil {
		if err := checkTags(*req.Tags); err != nil {
			return err
		}
	}
	if req.Attributes != nil {
		if len(*req.Attributes) > maxAttrs {
			return &herald.ValidationError{Field: "attributes", Code: herald.CodeTooMany, Limit: maxAttrs}
		}
		for k, v := range *req.Attributes {
			if err := checkAttr(k, &v); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkTags(tags []string) error {
	if len(tags) > maxTags {
		return &herald.ValidationError{Field: "tags", Code: herald.CodeTooMany, Limit: maxTags}
	}
	for _, t := range tags {
		if herald.NormalizeTag(t) == "" {
			return &herald.ValidationError{Field: "tags", Code: herald.CodeRequired}
		}
		if utf8.RuneCountInString(t) > maxTagLen {
			return &herald.ValidationError{Field: "tags", Code: herald.CodeTooLong, Limit: maxTagLen}
		}
	}
	return nil
}

var attrKey = regexp.MustCompile(`^[\p{L}\p{N}_.-]+$`)

// checkAttr checks one attribute; v nil means "remove".
func checkAttr(k string, v *string) error {
	field := "attributes." + k
	switch {
	case k == "" || !attrKey.MatchString(k):
		return &herald.ValidationError{Field: "attributes", Code: herald.CodeInvalid}
	case utf8.RuneCountInString(k) > maxAttrKeyLen:
		return &herald.ValidationError{Field: field, Code: herald.CodeTooLong, Limit: maxAttrKeyLen}
	case v != nil && utf8.RuneCountInString(*v) > maxAttrValLen:
		return &herald.ValidationError{Field: field, Code: herald.CodeTooLong, Limit: maxAttrValLen}
	}
	return nil
}

func (s *Server) getSubscriber(w http.ResponseWriter, r *http.Request, _ string) {
	key, err := subscriberKey(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sub, err := s.opts.Store.Subscriber(key)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSubscriberJSON(sub))
}

// deleteSubscriber erases a subscriber on the person's request.
func (s *Server) deleteSubscriber(w http.ResponseWriter, r *http.Request, actor string) {
	key, err := subscriberKey(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.opts.Store.DeleteSubscriber(key); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(actor, "subscriber.delete", key.String(), "erasure requested through the API")
	w.WriteHeader(http.StatusNoContent)
}

// change applies fn to an existing subscriber (404 when there is none:
// these calls never create one), answering a failure; the caller answers
// a success.
func (s *Server) change(w http.ResponseWriter, r *http.Request, actor, action string, fn func(sub *herald.Subscriber) error) (herald.Subscriber, bool) {
	key, err := subscriberKey(r)
	if err != nil {
		s.fail(w, r, err)
		return herald.Subscriber{}, false
	}
	sub, err := s.opts.Store.UpdateSubscriber(key, func(sub *herald.Subscriber, created bool) error {
		if created {
			return herald.ErrNotFound
		}
		return fn(sub)
	})
	if err != nil {
		s.fail(w, r, err)
		return sub, false
	}
	s.audit(actor, action, key.String(), "")
	return sub, true
}

// update is change answering 200 with the subscriber as it now is, as
// every change of a subscriber does but closing an operator chat.
func (s *Server) update(w http.ResponseWriter, r *http.Request, actor, action string, fn func(sub *herald.Subscriber) error) {
	if sub, ok := s.change(w, r, actor, action, fn); ok {
		writeJSON(w, http.StatusOK, toSubscriberJSON(sub))
	}
}

func (s *Server) tagSubscriber(w http.ResponseWriter, r *http.Request, actor string) {
	var req struct {
		Tags []string `json:"tags"`
	}
	if !decode(w, r, &req) {
		return
	}
	if len(req.Tags) == 0 {
		s.fail(w, r, &herald.ValidationError{Field: "tags", Code: herald.CodeRequired})
		return
	}
	if err := checkTags(req.Tags); err != nil {
		s.fail(w, r, err)
		return
	}
	sub, ok := s.change(w, r, actor, "subscriber.tag", func(sub *herald.Subscriber) error {
		sub.AddTags(req.Tags...)
		if len(sub.Tags) > maxTags {
			return &herald.ValidationError{Field: "tags", Code: herald.CodeTooMany, Limit: maxTags}
		}
		return nil
	})
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, toSubscriberJSON(sub))
}

func (s *Server) untagSubscriber(w http.ResponseWriter, r *http.Request, actor string) {
	tag := r.PathValue("tag")
	s.update(w, r, actor, "subscriber.untag", func(sub *herald.Subscriber) error {
		sub.RemoveTags(tag)
		return nil
	})
}

// setAttributes merges attributes; a null value removes one.
func (s *Server) setAttributes(w http.ResponseWriter, r *http.Request, actor string) {
	var req struct {
		Attributes map[string]*string `json:"attributes"`
	}
	if !decode(w, r, &req) {
		return
	}
	if len(req.Attributes) == 0 {
		s.fail(w, r, &herald.ValidationError{Field: "attributes", Code: herald.CodeRequired})
		return
	}
	for k, v := range req.Attributes {
		if err := checkAttr(k, v); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.update(w, r, actor, "subscriber.attributes", func(sub *herald.Subscriber) error {
		if sub.Attributes == nil {
			sub.Attributes = map[string]string{}
		}
		for k, v := range req.Attributes {
			if v == nil {
				delete(sub.Attributes, k)
			} else {
				sub.Attributes[k] = *v
			}
		}
		if len(sub.Attributes) > maxAttrs {
			return &herald.ValidationError{Field: "attributes", Code: herald.CodeTooMany, Limit: maxAttrs}
		}
		return nil
	})
}

func (s *Server) openOperatorChat(w http.ResponseWriter, r *http.Request, actor string) {
	s.update(w, r, actor, "operator_chat.open", func(sub *herald.Subscriber) error {
		sub.OperatorChat = true
		return nil
	})
}

// closeOperatorChat ends the chat and releases the broadcast messages held
// for the subscriber meanwhile.
func (s *Server) closeOperatorChat(w http.ResponseWriter, r *http.Request, actor string) {
	sub, ok := s.change(w, r, actor, "operator_chat.close", func(sub *herald.Subscriber) error {
		sub.OperatorChat = false
		return nil
	})
	if !ok {
		return
	}
	out := struct {
		subscriberJSON
		Released bool `json:"released"`
	}{subscriberJSON: toSubscriberJSON(sub)}
	if s.opts.Releaser != nil {
		if err := s.opts.Releaser.Release(r.Context(), sub.Key()); err != nil {
			s.fail(w, r, err)
			return
		}
		out.Released = true
	}
	writeJSON(w, http.StatusOK, out)
}

// recordEvent keeps a named event as attributes, so audience filters can
// use it: "event.<name>" holds its last time (compare it with gt/lt as a
// date), "last_event" and "last_event_at" the most recent event.
func (s *Server) recordEvent(w http.ResponseWriter, r *http.Request, actor string) {
	var req struct {
		Name string     `json:"name"`
		At   *time.Time `json:"at"`
	}
	if !decode(w, r, &req) {
		return
	}
	if !herald.ValidEventName(req.Name) {
		s.fail(w, r, &herald.ValidationError{Field: "name", Code: herald.CodeInvalid})
		return
	}
	at := s.opts.Now().UTC()
	if req.At != nil {
		at = req.At.UTC()
	}
	stamp := at.Format(time.RFC3339)
	s.update(w, r, actor, "subscriber.event", func(sub *herald.Subscriber) error {
		if sub.Attributes == nil {
			sub.Attributes = map[string]string{}
		}
		if old, ok := herald.ParseAttrDate(sub.Attributes["event."+req.Name]); !ok || at.After(old) {
			sub.Attributes["event."+req.Name] = stamp
		}
		if old, ok := herald.ParseAttrDate(sub.Attributes["last_event_at"]); !ok || !at.Before(old) {
			sub.Attributes["last_event"], sub.Attributes["last_event_at"] = req.Name, stamp
		}
		return nil
	})
}
