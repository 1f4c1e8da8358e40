package platformtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

const (
	slackBotToken = "xoxb-test-bot"
	slackAppToken = "xapp-test-app"
)

type slackFixture struct {
	served[*Slack]
	api *slack.Client
}

// newSlackFixture serves a Slack fake (under mount, "" for the root) and
// points a real slack-go client at it.
func newSlackFixture(t *testing.T, mount string) slackFixture {
	t.Helper()
	rec := NewRecorder(nil)
	s := serveFake(t, NewSlack(rec), rec, mount)
	return slackFixture{s, slack.New(slackBotToken, slack.OptionAPIURL(s.url+"/api/"), slack.OptionAppLevelToken(slackAppToken))}
}

// call makes a plain urlencoded Web API call with an optional Bearer token.
func (f slackFixture) call(t *testing.T, token, method string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.url+"/api/"+method, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func slackErr(err error) string {
	var e slack.SlackErrorResponse
	if errors.As(err, &e) {
		return e.Err
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestSlackAuthChecks(t *testing.T) {
	f := newSlackFixture(t, "")
	ctx := context.Background()
	auth, err := f.api.AuthTestContext(ctx)
	if err != nil || auth.UserID != slackBotUser || auth.TeamID != slackTeamID || auth.BotID != slackBotID {
		t.Errorf("AuthTest = %+v, %v", auth, err)
	}
	tests := []struct{ name, token, method, want string }{
		{"no token", "", "auth.test", "not_authed"},
		{"not a Slack token", "hunter2", "auth.test", "invalid_auth"},
		{"app token on a bot method", slackAppToken, "chat.postMessage", "not_allowed_token_type"},
		{"bot token opening a socket", slackBotToken, "apps.connections.open", "not_allowed_token_type"},
		{"unknown method", slackBotToken, "chat.telepathy", "unknown_method"},
	}
	for _, tc := range tests {
		status, body := f.call(t, tc.token, tc.method, url.Values{"channel": {"C1"}, "text": {"x"}})
		if status != 200 || body["ok"] != false || body["error"] != tc.want {
			t.Errorf("%s: %d %v, want 200 with error %q", tc.name, status, body, tc.want)
		}
	}
	f.fake.Tokens(slackBotToken, slackAppToken)
	other := slack.New("xoxb-someone-else", slack.OptionAPIURL(f.url+"/api/"))
	if _, err := other.AuthTestContext(ctx); slackErr(err) != "invalid_auth" {
		t.Errorf("token outside the allowed set: %v", err)
	}
	if _, err := f.api.AuthTestContext(ctx); err != nil {
		t.Errorf("allowed token: %v", err)
	}
}

func TestSlackPostUpdateAndEphemeral(t *testing.T) {
	f := newSlackFixture(t, "")
	ctx := context.Background()
	blocks := slack.MsgOptionBlocks(
		slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*Broadcast B-1*: sending", false, false), nil, nil),
		slack.NewActionBlock("ctl", slack.NewButtonBlockElement("pause", "B-1", slack.NewTextBlockObject("plain_text", "Pause", false, false))),
	)
	ch, ts, err := f.api.PostMessageContext(ctx, "C0ADMIN", slack.MsgOptionText("Broadcast B-1: sending", false), blocks)
	if err != nil || ch != "C0ADMIN" || ts == "" {
		t.Fatalf("PostMessage = %q %q %v", ch, ts, err)
	}
	_, reply, err := f.api.PostMessageContext(ctx, "C0ADMIN", slack.MsgOptionText("details", false), slack.MsgOptionTS(ts))
	if err != nil || reply <= ts {
		t.Fatalf("threaded reply ts %q after %q: %v", reply, ts, err)
	}
	for _, pct := range []string{"40%", "80%"} {
		if _, _, _, err := f.api.UpdateMessageContext(ctx, "C0ADMIN", ts, slack.MsgOptionText("Broadcast B-1: "+pct, false)); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.fake.Updates("C0ADMIN", ts); n != 2 {
		t.Errorf("Updates = %d, want 2", n)
	}
	msgs := f.fake.Messages("C0ADMIN")
	if len(msgs) != 2 || msgs[0].Text != "Broadcast B-1: 80%" || !strings.Contains(msgs[0].Blocks, `"action_id":"pause"`) ||
		msgs[1].ThreadTS != ts {
		t.Errorf("messages = %+v", msgs)
	}
	if _, _, _, err := f.api.UpdateMessageContext(ctx, "C0ADMIN", "1.000001", slack.MsgOptionText("x", false)); slackErr(err) != "message_not_found" {
		t.Errorf("update of a missing message: %v", err)
	}
	ets, err := f.api.PostEphemeralContext(ctx, "C0ADMIN", "U0ANN", slack.MsgOptionText("only you", false))
	if err != nil || ets == "" {
		t.Fatalf("PostEphemeral = %q, %v", ets, err)
	}
	if m, _ := f.fake.Message("C0ADMIN", ets); !m.Ephemeral || m.User != "U0ANN" {
		t.Errorf("ephemeral stored as %+v", m)
	}
	dm, _, err := f.api.PostMessageContext(ctx, "U0ANN", slack.MsgOptionText("hi Ann", false))
	if err != nil || dm != "D0ANN" || len(f.fake.Messages("U0ANN")) != 1 {
		t.Errorf("post to a user: channel %q, %v", dm, err)
	}
	got := f.rec.To("slack", "C0ADMIN")
	if len(got) != 3 || !strings.HasPrefix(got[0].Content, "Broadcast B-1: sending [blocks:[") || got[0].MessageID != ts {
		t.Errorf("deliveries = %+v", got)
	}
}

// A context block holds text objects and images, as real Slack takes it
// (https://docs.slack.dev/reference/block-kit/blocks/context-block): its
// text elements' "text" is a string, not the object a button's is.
func TestSlackAcceptsContextBlocks(t *testing.T) {
	f := newSlackFixture(t, "")
	ctx := context.Background()
	blocks := slack.MsgOptionBlocks(slack.NewContextBlock("",
		slack.NewImageBlockElement("https://img.example/pin.png", "pin"),
		slack.NewTextBlockObject("mrkdwn", "_As it arrives on LINE_", false, false),
		slack.NewTextBlockObject("plain_text", "Telegram", false, false)),
		slack.NewActionBlock("", slack.NewButtonBlockElement("go", "v", slack.NewTextBlockObject("plain_text", "Go", false, false))))
	_, ts, err := f.api.PostMessageContext(ctx, "C0ADMIN", slack.MsgOptionText("preview", false), blocks)
	if err != nil {
		t.Fatalf("a context block with an image and text objects: %v", err)
	}
	if m, _ := f.fake.Message("C0ADMIN", ts); !strings.Contains(m.Blocks, `"text":"_As it arrives on LINE_"`) {
		t.Errorf("stored blocks = %s", m.Blocks)
	}
	if _, err := f.fake.PushButton("U0ANN", SlackMessage{Channel: "C0ADMIN", TS: ts}, "v"); err != nil {
		t.Errorf("the button after the context block cannot be pressed: %v", err)
	}
}

func TestSlackMessageErrors(t *testing.T) {
	f := newSlackFixture(t, "")
	tooLong := `[{"type":"actions","elements":[{"type":"button","action_id":"a","text":{"type":"plain_text","text":"` +
		strings.Repeat("x", 76) + `"}}]}]`
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"no text", url.Values{"channel": {"C1"}}, "no_text"},
		{"no channel", url.Values{"text": {"x"}}, "channel_not_found"},
		{"blocks not JSON", url.Values{"channel": {"C1"}, "blocks": {"[{"}}, "invalid_blocks_format"},
		{"button text too long", url.Values{"channel": {"C1"}, "blocks": {tooLong}}, "invalid_blocks"},
		{"unknown block type", url.Values{"channel": {"C1"}, "blocks": {`[{"type":"marquee"}]`}}, "invalid_blocks"},
		{"button in a context block", url.Values{"channel": {"C1"}, "blocks": {`[{"type":"context","elements":[` +
			`{"type":"button","action_id":"a","text":{"type":"plain_text","text":"Go"}}]}]`}}, "invalid_blocks"},
		{"empty text in a context block", url.Values{"channel": {"C1"}, "blocks": {`[{"type":"context","elements":[{"type":"mrkdwn","text":""}]}]`}}, "invalid_blocks"},
		{"text too long", url.Values{"channel": {"C1"}, "text": {strings.Repeat("x", 40001)}}, "msg_too_long"},
	}
	for _, tc := range tests {
		if _, body := f.call(t, slackBotToken, "chat.postMessage", tc.form); body["error"] != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, body, tc.want)
		}
	}
	if f.rec.Count("slack") != 0 || len(f.rec.Rejected("slack")) != len(tests) {
		t.Errorf("deliveries %d, rejections %d", f.rec.Count("slack"), len(f.rec.Rejected("slack")))
	}
}

func TestSlackFaultsAsTheSDKSeesThem(t *testing.T) {
	f := newSlackFixture(t, "")
	ctx := context.Background()
	post := func() error {
		_, _, err := f.api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))
		return err
	}
	f.fake.Faults.SetRateLimit(1, 2500*time.Millisecond)
	if err := post(); err != nil {
		t.Fatal(err)
	}
	var limited *slack.RateLimitedError
	if err := post(); !errors.As(err, &limited) || limited.RetryAfter != 3*time.Second {
		t.Errorf("over the rate: %v, want RateLimitedError after 3s (Retry-After is whole seconds)", err)
	}
	f.fake.Faults.Reset()

	f.fake.Faults.FailNext(1, http.StatusServiceUnavailable)
	var status slack.StatusCodeError
	if err := post(); !errors.As(err, &status) || status.Code != 503 {
		t.Errorf("injected 503: %v", err)
	}
	f.fake.Faults.Block("C1")
	if err := post(); slackErr(err) != "channel_not_found" {
		t.Errorf("blocked channel: %v", err)
	}
	f.fake.Faults.Reset()

	f.fake.Faults.SetLatency(500 * time.Millisecond)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, _, err := f.api.PostMessageContext(short, "C1", slack.MsgOptionText("slow", false)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("latency beyond the client's deadline: %v", err)
	}
	f.fake.Faults.Reset()
	if n := f.rec.Count("slack"); n != 1 {
		t.Errorf("deliveries = %d, want only the first post", n)
	}
}

func TestSlackUploadAndDownload(t *testing.T) {
	f := newSlackFixture(t, "/slack") // mounted, as in the combined server
	ctx := context.Background()
	csv := "platform,sent,failed\nline,120,3\n"
	file, err := f.api.UploadFileContext(ctx, slack.UploadFileParameters{Filename: "report.csv", FileSize: len(csv),
		Reader: strings.NewReader(csv), Channel: "C0ADMIN", Title: "B-1 report", InitialComment: "Final report"})
	if err != nil {
		t.Fatal(err)
	}
	stored, ok := f.fake.File(file.ID)
	if !ok || string(stored.Data) != csv || stored.Title != "B-1 report" || stored.Channel != "C0ADMIN" {
		t.Errorf("stored file = %+v", stored)
	}
	if msgs := f.fake.Messages("C0ADMIN"); len(msgs) != 1 || msgs[0].Text != "Final report" || msgs[0].Files[0] != file.ID {
		t.Errorf("shared as %+v", msgs)
	}
	if d := f.rec.To("slack", "C0ADMIN"); len(d) != 1 || d[0].Content != "[file:"+file.ID+"] Final report" {
		t.Errorf("deliveries = %+v", d)
	}

	path := f.fake.AddFile("F0USER1", "audience.csv", []byte("user_id\nU1\n"))
	info, _, _, err := f.api.GetFileInfoContext(ctx, "F0USER1", 0, 0)
	if err != nil || info.URLPrivate != f.url+path {
		t.Fatalf("files.info url_private = %q, %v; want %q", info.URLPrivate, err, f.url+path)
	}
	var buf bytes.Buffer
	if err := f.api.GetFileContext(ctx, info.URLPrivate, &buf); err != nil || buf.String() != "user_id\nU1\n" {
		t.Errorf("download = %q, %v", buf.String(), err)
	}
	stranger := slack.New("not-a-token", slack.OptionAPIURL(f.url+"/api/"))
	if err := stranger.GetFileContext(ctx, info.URLPrivate, &buf); err == nil || !strings.Contains(err.Error(), "sign-in page") {
		t.Errorf("download without a valid token: %v, want the sign-in redirect", err)
	}
	if _, err := f.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
		Files: []slack.FileSummary{{ID: "F0NEVER"}}, Channel: "C0ADMIN"}); slackErr(err) != "file_not_found" {
		t.Errorf("completing an upload that never happened: %v", err)
	}
}

func TestSlackConversationsUsersAndViews(t *testing.T) {
	f := newSlackFixture(t, "")
	ctx := context.Background()
	f.fake.AddChannel(SlackChannel{ID: "G0OPS", Name: "ops", IsPrivate: true, IsMember: true})
	f.fake.AddUser(SlackUser{ID: "U0ANN", Name: "ann", RealName: "Ann Lee", TZ: "Asia/Taipei", TZOffset: 28800, IsAdmin: true})
	ch, err := f.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "G0OPS"})
	if err != nil || ch.Name != "ops" || !ch.IsPrivate || !ch.IsMember {
		t.Errorf("conversation = %+v, %v", ch, err)
	}
	u, err := f.api.GetUserInfoContext(ctx, "U0ANN")
	if err != nil || u.RealName != "Ann Lee" || u.TZ != "Asia/Taipei" || u.TZOffset != 28800 || !u.IsAdmin {
		t.Errorf("user = %+v, %v", u, err)
	}
	if _, err := f.api.GetUserInfoContext(ctx, "nobody"); slackErr(err) != "user_not_found" {
		t.Errorf("unknown user: %v", err)
	}

	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject("plain_text", "New broadcast", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock("name", slack.NewTextBlockObject("plain_text", "Name", false, false),
			nil, slack.NewPlainTextInputBlockElement(nil, "name"))}}}
	trigger := f.fake.NewTriggerID()
	view, err := f.api.OpenViewContext(ctx, trigger, modal)
	if err != nil || view.ID == "" || view.Title.Text != "New broadcast" {
		t.Fatalf("OpenView = %+v, %v", view, err)
	}
	if _, err := f.api.OpenViewContext(ctx, trigger, modal); slackErr(err) != "expired_trigger_id" {
		t.Errorf("trigger used twice: %v", err)
	}
	if _, err := f.api.OpenViewContext(ctx, "123.made.up", modal); slackErr(err) != "invalid_trigger_id" {
		t.Errorf("unknown trigger: %v", err)
	}
	modal.Title.Text = "A title far too long for a modal"
	if _, err := f.api.UpdateViewContext(ctx, modal, "", "", view.ID); slackErr(err) != "invalid_arguments" {
		t.Errorf("title over 24 characters: %v", err)
	}
	if views := f.fake.Views(); len(views) != 1 || views[0].TriggerID != trigger {
		t.Errorf("views = %+v", views)
	}
}

func TestSlackResetForgetsTrafficButKeepsSetup(t *testing.T) {
	f := newSlackFixture(t, "")
	ctx := context.Background()
	f.fake.AddUser(SlackUser{ID: "U0ANN", Name: "ann", RealName: "Ann Lee"})
	if _, _, err := f.api.PostMessageContext(ctx, "C1", slack.MsgOptionText("before", false)); err != nil {
		t.Fatal(err)
	}
	f.fake.PushEnvelope("slash_commands", map[string]any{"command": "/herald"}) // nobody connected: queued
	f.fake.Faults.Block("C1")
	f.fake.Reset()
	if msgs := f.fake.Messages("C1"); len(msgs) != 0 {
		t.Errorf("messages after Reset: %+v", msgs)
	}
	if _, _, err := f.api.PostMessageContext(ctx, "C1", slack.MsgOptionText("after", false)); err != nil {
		t.Errorf("Reset left a fault on: %v", err)
	}
	if u, err := f.api.GetUserInfoContext(ctx, "U0ANN"); err != nil || u.RealName != "Ann Lee" {
		t.Errorf("users are setup and stay: %+v, %v", u, err)
	}
	f.fake.socket.mu.Lock()
	queued := len(f.fake.socket.pending)
	f.fake.socket.mu.Unlock()
	if queued != 0 {
		t.Errorf("%d envelopes still queued after Reset", queued)
	}
}

func TestSlackAcceptsJSONBodies(t *testing.T) {
	f := newSlackFixture(t, "")
	req, _ := http.NewRequest(http.MethodPost, f.url+"/api/chat.postMessage",
		strings.NewReader(`{"channel":"C9","text":"from JSON","blocks":[{"type":"divider"}]}`))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+slackBotToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	msgs := f.fake.Messages("C9")
	if body["ok"] != true || len(msgs) != 1 || msgs[0].Text != "from JSON" || msgs[0].Blocks != `[{"type":"divider"}]` {
		t.Errorf("answer %v, messages %+v", body, msgs)
	}
}
