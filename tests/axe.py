"""axe-core in the browser tests: WCAG 2.2 AA checked on the pages a visitor or staff see.

axe.min.js is a vendored test dependency (tests/vendor/axe-core, MPL-2.0), injected into
the page under test; the page's Content Security Policy would refuse it, so contexts that
run axe are made with `bypass_csp=True` (tests only: Booth never serves the script).
"""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
  return result.violations.map((v) => ({
    id: v.id,
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
  }));
}"""


def violations(page) -> list[dict]:
    """The WCAG 2.2 AA violations axe finds in the page as it is now (hidden parts skipped)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(_RUN, WCAG_22_AA)


def assert_no_violations(page, where: str) -> None:
    found = violations(page)
    report = "\n".join(
        f"- {v['id']} ({v['help']}):\n    " + "\n    ".join(v["nodes"][:5]) for v in found
    )
    assert not found, f"axe found WCAG 2.2 AA violations on {where}:\n{report}"
