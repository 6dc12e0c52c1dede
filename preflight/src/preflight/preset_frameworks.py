"""The framework presets Vercel's list puts before the Python ones, with their detectors.

A project whose root holds a Next.js (or any of these) app gets that preset, not
`fastapi`, even with a requirements.txt beside it: detection returns the first match in
list order (vercel/vercel packages/frameworks/src/frameworks.ts at 17d9ebaf8e, the
entries before `slug: 'fastapi'` at line 2157; packages/fs-detectors
detect-framework.ts). Under such a preset api/*.py stay functions of their own and
nothing sends every path to one Python app (digitros/nextjs-fastapi: Next.js with
api/index.py, which preflight took for a fastapi project).

Each entry is (slug, every, some) as in frameworks.ts `detectors`: all of `every` and, if
`some` is not empty, one of `some` must match. A detector is (file, regex or None for
"the file exists"); `matchPackage: 'x'` is the regex detect-framework.ts:118 builds over
package.json.
"""

from __future__ import annotations

import re

Detector = tuple[str, str | None]
Detectors = tuple[Detector, ...]


def _package(name: str) -> Detector:
    """detect-framework.ts:118: `matchPackage` as a regex over package.json."""
    return (
        "package.json",
        rf'"(dev)?(d|D)ependencies":\s*{{[^}}]*"{re.escape(name)}":\s*"(.+?)"[^}}]*}}',
    )


EARLIER: tuple[tuple[str, Detectors, Detectors], ...] = (
    ("container", (), (("Dockerfile.vercel", None), ("Containerfile.vercel", None))),
    ("blitzjs", (), (("blitz.config.js", None), ("blitz.config.ts", None))),
    ("nextjs", (_package("next"),), ()),
    ("gatsby", (_package("gatsby"),), ()),
    (
        "remix",
        (),
        (_package("@remix-run/dev"), ("remix.config.js", None), ("remix.config.mjs", None)),
    ),
    (
        "react-router",
        (),
        (
            ("vite.config.js", "@react-router/dev/vite"),
            ("vite.config.ts", "@react-router/dev/vite"),
            ("react-router.config.js", None),
            ("react-router.config.ts", None),
        ),
    ),
    ("astro", (_package("astro"),), ()),
    ("hexo", (_package("hexo"),), ()),
    ("eleventy", (_package("@11ty/eleventy"),), ()),
    ("docusaurus-2", (), (_package("@docusaurus/core"),)),
    ("docusaurus", (), (_package("docusaurus"),)),
    ("preact", (_package("preact-cli"),), ()),
    ("solidstart-1", (_package("solid-js"), _package("@solidjs/start")), ()),
    ("solidstart", (_package("solid-js"), _package("solid-start")), ()),
    ("dojo", (), (_package("@dojo/framework"), (".dojorc", None))),
    ("ember", (), (_package("ember-source"), _package("ember-cli"))),
    ("vue", (_package("@vue/cli-service"),), ()),
    ("scully", (_package("@scullyio/init"),), ()),
    ("ionic-angular", (_package("@ionic/angular"),), ()),
    ("angular", (_package("@angular/cli"),), ()),
    ("polymer", (_package("polymer-cli"),), ()),
    ("svelte", (_package("svelte"), _package("sirv-cli")), ()),
    ("sveltekit-1", (_package("@sveltejs/kit"),), ()),
    ("ionic-react", (_package("@ionic/react"),), ()),
    ("create-react-app", (), (_package("react-scripts"), _package("react-dev-utils"))),
    ("gridsome", (_package("gridsome"),), ()),
    ("umijs", (_package("umi"),), ()),
    ("sapper", (_package("sapper"),), ()),
    ("saber", (_package("saber"),), ()),
    ("stencil", (_package("@stencil/core"),), ()),
    (
        "nuxtjs",
        (),
        (_package("nuxt"), _package("nuxt3"), _package("nuxt-edge"), _package("nuxt-nightly")),
    ),
    ("redwoodjs", (_package("@redwoodjs/core"),), ()),
    (
        "hugo",
        (),
        (("config.yaml", "baseURL"), ("config.toml", "baseURL"), ("config.json", "baseURL")),
    ),
    ("jekyll", (("_config.yml", None),), ()),
    ("brunch", (), (_package("brunch"), ("brunch-config.js", None))),
    ("middleman", (("config.rb", None),), ()),
    ("zola", (("config.toml", "base_url"),), ()),
    (
        "hydrogen",
        (),
        (_package("@shopify/hydrogen"), ("hydrogen.config.js", None), ("hydrogen.config.ts", None)),
    ),
    ("vite", (_package("vite"),), ()),
    (
        "tanstack-start",
        (_package("@tanstack/router-plugin"),),
        (_package("@tanstack/react-start"), _package("@tanstack/solid-start")),
    ),
    (
        "tanstack-start-lovable",
        (_package("@lovable.dev/vite-tanstack-config"),),
        (_package("@tanstack/react-start"), _package("@tanstack/solid-start")),
    ),
    ("vitepress", (_package("vitepress"),), ()),
    ("vuepress", (_package("vuepress"),), ()),
    ("parcel", (_package("parcel"),), ()),
)

SLUGS = frozenset(slug for slug, _, _ in EARLIER)
