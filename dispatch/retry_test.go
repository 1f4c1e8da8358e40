package dispatch

import "testing"

// TestRetryKeysAreTheKeysOfEarlierReleases pins keys derived by the
// hand-written SHA-1 code that came before the uuid package: a run resumed
// after an upgrade must send the same X-Line-Retry-Key, or LINE delivers its
// batches a second time.
func TestRetryKeysAreTheKeysOfEarlierReleases(t *testing.T) {
	for _, tc := range []struct {
		run         string
		first, last uint32
		n           int
		content     string
		want        string
	}{
		{"R-1", 1, 1, 1, "text\x00Hello", "89ce3724-2192-553e-a422-4c173a848d3c"},
		{"B-7K2Q/3", 10, 509, 500, "card\x00t\x00x", "85be3273-76ac-57de-b683-74cca4f0dcfa"},
		{"", 0, 0, 0, "", "984904a1-92dd-50d5-aef8-a4cf761e7fdc"},
		{"test:abc", 0, 0, 1, "held\x00ü字", "defcff3c-83cb-5211-9808-e11868dfa2ab"},
	} {
		if got := retryKey(tc.run, tc.first, tc.last, tc.n, tc.content); got != tc.want {
			t.Errorf("retryKey(%q, %d, %d, %d, %q) = %s, want %s as before", tc.run, tc.first, tc.last, tc.n, tc.content, got, tc.want)
		}
	}
}
