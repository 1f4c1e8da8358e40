package api

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestOpenAPIDocumentsEveryRoute keeps docs/openapi.yaml and the router in
// step: every endpoint served is documented with its method, and nothing
// documented is missing from the server.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	readOpenAPI(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q, want 3.x", doc.OpenAPI)
	}
	served := map[string]bool{}
	for _, rt := range New(Options{}).table() {
		key := strings.ToLower(rt.method) + " " + rt.path
		served[key] = true
		if _, ok := doc.Paths[rt.path][strings.ToLower(rt.method)]; !ok {
			t.Errorf("%s %s is served but not documented", rt.method, rt.path)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" && !served[method+" "+path] {
				t.Errorf("%s %s is documented but not served", strings.ToUpper(method), path)
			}
		}
	}
}

// TestOpenAPIServesClientGenerators: generated clients name their methods
// after operationIds and group them by tags, so every operation has an
// operationId of its own and tags that are declared with a description,
// and the document says under which license it may be used.
func TestOpenAPIServesClientGenerators(t *testing.T) {
	type operation struct {
		OperationID string   `yaml:"operationId"`
		Tags        []string `yaml:"tags"`
	}
	var doc struct {
		Info struct {
			License struct {
				Name string `yaml:"name"`
			} `yaml:"license"`
		} `yaml:"info"`
		Tags []struct {
			Name        string `yaml:"name"`
			Description string `yaml:"description"`
		} `yaml:"tags"`
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	readOpenAPI(t, &doc)
	if doc.Info.License.Name == "" {
		t.Error("info.license has no name")
	}
	described := map[string]bool{}
	for _, tag := range doc.Tags {
		described[tag.Name] = strings.TrimSpace(tag.Description) != ""
	}
	ids := map[string]string{}
	for path, ops := range doc.Paths {
		for method, node := range ops {
			if method == "parameters" {
				continue
			}
			var op operation
			if err := node.Decode(&op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			where := strings.ToUpper(method) + " " + path
			switch other, dup := ids[op.OperationID]; {
			case op.OperationID == "":
				t.Errorf("%s has no operationId", where)
			case dup:
				t.Errorf("%s and %s share the operationId %s", where, other, op.OperationID)
			}
			ids[op.OperationID] = where
			if len(op.Tags) == 0 {
				t.Errorf("%s has no tag", where)
			}
			for _, tag := range op.Tags {
				if !described[tag] {
					t.Errorf("%s's tag %q is not declared with a description", where, tag)
				}
			}
		}
	}
}

// readOpenAPI decodes docs/openapi.yaml into doc.
func readOpenAPI(t *testing.T, doc any) {
	t.Helper()
	raw, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
}
