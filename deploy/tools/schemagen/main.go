// Command schemagen writes the JSON Schemas that kubeconform reads offline, in the flavour it calls
// "standalone-strict": every $ref inlined (standalone), and every object schema that lists its
// properties closed with additionalProperties: false (strict), so a misspelt field fails validation.
//
// Sources are the ones the cluster itself uses: Kubernetes' OpenAPI document
// (api/openapi-spec/swagger.json of the k8s.io/kubernetes module) and the CRD manifests of the
// add-ons (KEDA, prometheus-operator), whose openAPIV3Schema is what their API server enforces.
// scripts/k8s-tools.sh fetches both with `go mod download` and runs this; see docs/adr/0008.
//
//	schemagen -swagger swagger.json -k8s-out DIR [-crd-out DIR CRD.yaml...]
//
// Kubernetes schemas land in DIR/<kind>-<group>-<version>.json (core: <kind>-<version>.json), the
// names kubeconform derives for {{ .ResourceKind }}{{ .KindSuffix }}; CRD schemas land in
// DIR/<group>/<kind>_<version>.json, for {{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

type schema = map[string]any

const objectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

func main() {
	swaggerPath := flag.String("swagger", "", "Kubernetes swagger.json")
	k8sOut := flag.String("k8s-out", "", "output folder for the Kubernetes schemas")
	crdOut := flag.String("crd-out", "", "output folder for the CRD schemas (CRD manifests are the arguments)")
	flag.Parse()
	if *swaggerPath == "" || *k8sOut == "" || (flag.NArg() > 0 && *crdOut == "") {
		fmt.Fprintln(os.Stderr, "usage: schemagen -swagger swagger.json -k8s-out DIR [-crd-out DIR CRD.yaml...]")
		os.Exit(2)
	}
	defs, err := loadDefinitions(*swaggerPath)
	check(err)
	n, err := writeKubernetes(defs, *k8sOut)
	check(err)
	fmt.Printf("schemagen: %d Kubernetes schemas in %s\n", n, *k8sOut)
	if flag.NArg() == 0 {
		return
	}
	// CRDs leave metadata open ({type: object}); the strict ObjectMeta catches `lables:` there too.
	meta := tighten(inline(defs, defs[objectMeta], map[string]bool{}).(schema))
	n = 0
	for _, path := range flag.Args() {
		written, err := writeCRD(path, *crdOut, meta)
		check(err)
		n += written
	}
	fmt.Printf("schemagen: %d CRD schemas in %s\n", n, *crdOut)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func loadDefinitions(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Definitions map[string]any `json:"definitions"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep integers (minimum, default) exactly as written
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The OpenAPI v2 document types these as plain strings; YAML gives numbers (`cpu: 1`, `maxSurge: 1`),
	// which the API server accepts. Same substitution as the upstream kubernetes-json-schema.
	defs := doc.Definitions
	defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = schema{
		"oneOf": []any{schema{"type": "string"}, schema{"type": "integer"}},
	}
	defs["io.k8s.apimachinery.pkg.api.resource.Quantity"] = schema{
		"oneOf": []any{schema{"type": "string"}, schema{"type": "number"}},
	}
	return defs, nil
}

func writeKubernetes(defs map[string]any, out string) (int, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, err
	}
	n := 0
	for name, def := range defs {
		gvks, _ := def.(schema)["x-kubernetes-group-version-kind"].([]any)
		// Types listed under many group-versions (DeleteOptions, WatchEvent) are not resources.
		if len(gvks) != 1 {
			continue
		}
		gvk := gvks[0].(schema)
		group, version, kind := gvk["group"].(string), gvk["version"].(string), gvk["kind"].(string)
		s := tighten(inline(defs, def, map[string]bool{name: true}).(schema))
		pin(s, group, version, kind)
		suffix := "-" + version
		if group != "" {
			suffix = "-" + strings.Split(group, ".")[0] + suffix
		}
		if err := writeJSON(filepath.Join(out, strings.ToLower(kind)+suffix+".json"), s); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func writeCRD(path, out string, meta schema) (int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	var crd struct {
		Kind string `json:"kind"`
		Spec struct {
			Group    string                `json:"group"`
			Names    struct{ Kind string } `json:"names"`
			Versions []struct {
				Name   string `json:"name"`
				Served bool   `json:"served"`
				Schema struct {
					OpenAPIV3Schema schema `json:"openAPIV3Schema"`
				} `json:"schema"`
			} `json:"versions"`
		} `json:"spec"`
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&crd); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if crd.Kind != "CustomResourceDefinition" || len(crd.Spec.Versions) == 0 {
		return 0, fmt.Errorf("%s: not a CustomResourceDefinition with versions", path)
	}
	n := 0
	for _, v := range crd.Spec.Versions {
		if !v.Served || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		s := tighten(v.Schema.OpenAPIV3Schema)
		if props, ok := s["properties"].(schema); ok {
			props["metadata"] = meta
		}
		pin(s, crd.Spec.Group, v.Name, crd.Spec.Names.Kind)
		dir := filepath.Join(out, crd.Spec.Group)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return n, err
		}
		name := strings.ToLower(crd.Spec.Names.Kind) + "_" + v.Name + ".json"
		if err := writeJSON(filepath.Join(dir, name), s); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// inline returns a copy of node with every "#/definitions/..." reference replaced by a copy of its
// target. A reference back into a definition being expanded (only JSONSchemaProps, the schema of
// schemas, refers to itself) becomes an open schema: the one place validation is loose.
func inline(defs map[string]any, node any, expanding map[string]bool) any {
	switch n := node.(type) {
	case schema:
		if ref, ok := n["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, "#/definitions/")
			target, found := defs[name]
			if !found {
				panic("unresolved $ref " + ref)
			}
			if expanding[name] {
				return schema{}
			}
			expanding[name] = true
			defer delete(expanding, name)
			return inline(defs, target, expanding)
		}
		out := make(schema, len(n))
		for k, v := range n {
			out[k] = inline(defs, v, expanding)
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, v := range n {
			out[i] = inline(defs, v, expanding)
		}
		return out
	default:
		return n
	}
}

// tighten closes every object schema that lists its properties (unless it says it keeps unknown
// fields), turns OpenAPI's `nullable` into a JSON Schema type, and drops descriptions and the
// x-kubernetes-* annotations, which validation does not read (the files shrink about fourfold).
// It walks schema keywords only, so a property that happens to be called "description" stays.
func tighten(s schema) schema {
	preserve, _ := s["x-kubernetes-preserve-unknown-fields"].(bool)
	if nullable, _ := s["nullable"].(bool); nullable {
		if t, ok := s["type"].(string); ok {
			s["type"] = []any{t, "null"}
		}
	}
	delete(s, "nullable")
	delete(s, "description")
	for k := range s {
		if strings.HasPrefix(k, "x-kubernetes-") && k != "x-kubernetes-group-version-kind" {
			delete(s, k)
		}
	}
	if props, ok := s["properties"].(schema); ok {
		for _, p := range props {
			if ps, ok := p.(schema); ok {
				tighten(ps)
			}
		}
		if _, set := s["additionalProperties"]; !set && !preserve {
			s["additionalProperties"] = false
		}
	}
	for _, k := range []string{"additionalProperties", "items", "not"} {
		if sub, ok := s[k].(schema); ok {
			tighten(sub)
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if subs, ok := s[k].([]any); ok {
			for _, sub := range subs {
				if ss, ok := sub.(schema); ok {
					tighten(ss)
				}
			}
		}
	}
	return s
}

// pin makes apiVersion and kind constants, so a resource can only match the schema of its own type.
func pin(s schema, group, version, kind string) {
	props, ok := s["properties"].(schema)
	if !ok {
		return
	}
	apiVersion := version
	if group != "" {
		apiVersion = group + "/" + version
	}
	props["apiVersion"] = schema{"type": "string", "enum": []any{apiVersion}}
	props["kind"] = schema{"type": "string", "enum": []any{kind}}
}

func writeJSON(path string, s schema) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
