// Command promcheck checks the monitoring files offline, much as `promtool check rules` would,
// without pulling in Prometheus' query engine: the rule file's structure (unknown keys fail), the
// PromQL of every recording rule and alert, the annotation templates, and the PromQL of every panel
// of the Grafana dashboards (dashboard variables replaced by sample values).
//
//	promcheck -rules rules.yaml dashboard.json...
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"text/template"

	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"
)

type ruleFile struct {
	Groups []struct {
		Name     string `json:"name"`
		Interval string `json:"interval,omitempty"`
		Rules    []struct {
			Record        string            `json:"record,omitempty"`
			Alert         string            `json:"alert,omitempty"`
			Expr          string            `json:"expr"`
			For           string            `json:"for,omitempty"`
			KeepFiringFor string            `json:"keep_firing_for,omitempty"`
			Labels        map[string]string `json:"labels,omitempty"`
			Annotations   map[string]string `json:"annotations,omitempty"`
		} `json:"rules"`
	} `json:"groups"`
}

type dashboard struct {
	Panels []struct {
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

// Grafana variables and their stand-ins.
var variables = strings.NewReplacer(
	"$__rate_interval", "1m", "$__interval", "1m", "$__range", "1h",
	"$namespace", "ns", "$service", "order", "$group", "order",
)

var unknownVariable = regexp.MustCompile(`\$\w+`)

// What Prometheus defines before an alert's label and annotation templates.
const templatePreamble = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}" +
	"{{$externalURL := .ExternalURL}}{{$value := .Value}}"

// Prometheus' template functions, for parsing only (alert annotations are Go templates).
var templateFuncs = template.FuncMap{}

func init() {
	for _, name := range []string{"humanize", "humanize1024", "humanizeDuration", "humanizePercentage",
		"humanizeTimestamp", "toTime", "title", "toUpper", "toLower", "reReplaceAll", "match", "label",
		"value", "first", "query", "args", "safeHtml", "sortByLabel", "stripPort", "stripDomain",
		"externalURL", "pathPrefix", "graphLink", "tableLink", "parseDuration"} {
		templateFuncs[name] = func(...any) any { return nil }
	}
}

func main() {
	rules := flag.String("rules", "", "Prometheus rule file")
	flag.Parse()
	var problems []error
	if *rules != "" {
		problems = append(problems, checkRules(*rules)...)
	}
	for _, path := range flag.Args() {
		problems = append(problems, checkDashboard(path)...)
	}
	for _, err := range problems {
		fmt.Fprintln(os.Stderr, "promcheck:", err)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
}

func checkRules(path string) []error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return []error{err}
	}
	var file ruleFile
	if err := yaml.UnmarshalStrict(raw, &file); err != nil {
		return []error{fmt.Errorf("%s: %w", path, err)}
	}
	p := parser.NewParser(parser.Options{})
	var errs []error
	n := 0
	for _, g := range file.Groups {
		for i, r := range g.Rules {
			n++
			where := fmt.Sprintf("%s: group %s, rule %d (%s%s)", path, g.Name, i+1, r.Record, r.Alert)
			bad := func(err error) { errs = append(errs, fmt.Errorf("%s: %w", where, err)) }
			if (r.Record == "") == (r.Alert == "") {
				bad(errors.New("needs exactly one of record and alert"))
			}
			if _, err := p.ParseExpr(r.Expr); err != nil {
				bad(err)
			}
			templates := map[string]string{}
			for key, text := range r.Labels {
				templates["label "+key] = text
			}
			for key, text := range r.Annotations {
				templates[key] = text
			}
			for key, text := range templates {
				if _, err := template.New(key).Funcs(templateFuncs).Parse(templatePreamble + text); err != nil {
					bad(err)
				}
			}
		}
	}
	fmt.Printf("promcheck: %s: %d groups, %d rules\n", path, len(file.Groups), n)
	return errs
}

func checkDashboard(path string) []error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return []error{err}
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		return []error{fmt.Errorf("%s: %w", path, err)}
	}
	p := parser.NewParser(parser.Options{})
	var errs []error
	n := 0
	for _, panel := range d.Panels {
		for _, t := range panel.Targets {
			n++
			expr := variables.Replace(t.Expr)
			if v := unknownVariable.FindString(expr); v != "" {
				errs = append(errs, fmt.Errorf("%s: panel %q: unknown variable %s", path, panel.Title, v))
				continue
			}
			if _, err := p.ParseExpr(expr); err != nil {
				errs = append(errs, fmt.Errorf("%s: panel %q: %w", path, panel.Title, err))
			}
		}
	}
	fmt.Printf("promcheck: %s: %d queries\n", path, n)
	return errs
}
