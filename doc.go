// Package herald holds Herald's domain: broadcasts, their audience, content,
// schedule and status, the subscribers they reach, and the outcome of each
// delivery. It imports only the standard library so that every edge
// (storage, flows, dispatch, handlers) can share one vocabulary without
// depending on each other. See docs/DESIGN.md for the whole picture.
package herald
