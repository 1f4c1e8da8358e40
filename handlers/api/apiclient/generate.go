// Package apiclient is a Go client of Herald's REST API generated from
// docs/openapi.yaml with oapi-codegen, as an integration would generate
// one. It exists so a test can prove the published spec matches the
// running API (cmd/bot's TestGeneratedClient…); .ci/run checks that
// regenerating it gives the checked-in file.
package apiclient

//go:generate go tool -modfile=../../../.ci/tools/go.mod oapi-codegen -config oapi-codegen.yaml -o client.gen.go ../../../docs/openapi.yaml
