// Command composecheck lints docker-compose.yml without a container runtime: it loads the file with
// compose-go, the library `docker compose` itself uses (compose-spec JSON Schema, interpolation,
// depends_on consistency), then checks what would only fail at `docker compose up`:
//
//   - every file a build or a bind mount refers to exists;
//
//   - images are pinned to a version (no implicit or `latest` tag);
//
//   - a dependency waited on with condition service_healthy has a health check (from the compose
//     file or, for a service built here, a HEALTHCHECK in its Dockerfile);
//
//   - nothing runs privileged.
//
//     composecheck docker-compose.yml
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

var healthcheckInstruction = regexp.MustCompile(`(?mi)^\s*HEALTHCHECK\s+`)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: composecheck docker-compose.yml")
		os.Exit(2)
	}
	file, err := filepath.Abs(os.Args[1])
	check(err)
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithName("mealpeak"),
		cli.WithWorkingDirectory(filepath.Dir(file)),
		// The file must load with no variable set: defaults are part of what we check.
		cli.WithEnv(nil),
		cli.WithResolvedPaths(true),
	)
	check(err)
	project, err := opts.LoadProject(context.Background())
	check(err)

	var problems []string
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		problems = append(problems, checkService(project, name)...)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "composecheck:", p)
		}
		os.Exit(1)
	}
	fmt.Printf("composecheck: %s: %d services valid\n", os.Args[1], len(names))
}

func checkService(project *types.Project, name string) []string {
	svc := project.Services[name]
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf("service %s: ", name)+fmt.Sprintf(format, args...))
	}
	if svc.Build != nil {
		dockerfile := svc.Build.Dockerfile
		if !filepath.IsAbs(dockerfile) {
			dockerfile = filepath.Join(svc.Build.Context, dockerfile)
		}
		if _, err := os.Stat(dockerfile); err != nil {
			bad("build.dockerfile %s does not exist", dockerfile)
		}
	} else if !pinned(svc.Image) {
		bad("image %q is not pinned to a version", svc.Image)
	}
	for _, v := range svc.Volumes {
		if v.Type == types.VolumeTypeBind {
			if _, err := os.Stat(v.Source); err != nil {
				bad("bind mount source %s does not exist", v.Source)
			}
		}
	}
	if svc.Privileged {
		bad("runs privileged")
	}
	for dep, d := range svc.DependsOn {
		if d.Condition == types.ServiceConditionHealthy && !hasHealthcheck(project.Services[dep]) {
			bad("waits for %s to be healthy, but %s has no health check", dep, dep)
		}
	}
	return problems
}

func pinned(image string) bool {
	ref := image[strings.LastIndex(image, "/")+1:]
	i := strings.LastIndex(ref, ":")
	return i > 0 && ref[i+1:] != "latest" || strings.Contains(image, "@sha256:")
}

func hasHealthcheck(svc types.ServiceConfig) bool {
	if svc.HealthCheck != nil {
		return !svc.HealthCheck.Disable && len(svc.HealthCheck.Test) > 0
	}
	if svc.Build == nil {
		return false
	}
	dockerfile := svc.Build.Dockerfile
	if !filepath.IsAbs(dockerfile) {
		dockerfile = filepath.Join(svc.Build.Context, dockerfile)
	}
	content, err := os.ReadFile(dockerfile)
	return err == nil && healthcheckInstruction.Match(content)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "composecheck:", err)
		os.Exit(1)
	}
}
