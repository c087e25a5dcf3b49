"""docs/deploy.md, compose.yaml and the Procfile agree with each other and with the code:
every variable the docs name is read by the code, every variable the configuration reads is
documented, and exactly one worker runs the periodic tasks everywhere."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "docs" / "deploy.md").read_text()
# Names that appear in the docs but are not Firmpay's variables.
NOT_OURS = {
    "WEB_CONCURRENCY",
    "POSTGRES_PASSWORD",
    "POSTGRES_DB",
    "POSTGRES_USER",
    "DATABASE_URL_RESTORED",
}
READS = re.compile(
    r"""(?:env_(?:str|bool|int|list)\(\s*|environ(?:\.get)?[\[(]\s*|getenv\(\s*|\$\{?)["']?([A-Z][A-Z0-9_]{2,})"""
)


def code_text() -> str:
    files = [*ROOT.glob("config/*.py"), *ROOT.glob("firmpay/**/*.py"), *ROOT.glob("scripts/*.sh")]
    return "\n".join(p.read_text() for p in files if "/tests/" not in str(p))


def documented() -> set[str]:
    table = DOCS.split("## Environment", 1)[1].split("## Processes", 1)[0]
    return set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", table)) - NOT_OURS


def read_by_config() -> set[str]:
    text = "\n".join(p.read_text() for p in ROOT.glob("config/*.py"))
    return set(READS.findall(text))


def test_every_variable_in_the_docs_is_read_by_the_code():
    code = code_text()
    missing = sorted(name for name in documented() if not re.search(rf"[\"'$]{{?{name}\b", code))
    assert not missing, f"docs/deploy.md names variables nothing reads: {missing}"


def test_every_variable_the_configuration_reads_is_documented():
    """In deploy.md's table, or (an app's own settings) in that app's docs/*.md."""
    all_docs = "\n".join(p.read_text() for p in ROOT.glob("docs/*.md"))
    missing = sorted(
        name for name in read_by_config() - documented() if f"`{name}`" not in all_docs
    )
    assert not missing, f"add these to docs/deploy.md's Environment table: {missing}"


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_has_the_documented_services():
    services = compose()["services"]
    assert {"postgres", "redis", "web", "worker", "scheduler-worker"} <= set(services)


def run_huey_commands(commands: list[str]) -> list[str]:
    return [c for c in commands if "run_huey" in c]


def test_exactly_one_scheduler_in_compose_and_the_procfile():
    services = compose()["services"]
    schedulers = [
        name for name, service in services.items()
        if "run_huey" in " ".join(service.get("command", [])) and "--no-periodic" not in service["command"]
    ]  # fmt: skip
    assert schedulers == ["scheduler-worker"]
    assert services["scheduler-worker"]["deploy"]["replicas"] == 1
    procfile = (ROOT / "Procfile").read_text().splitlines()
    periodic = [line for line in run_huey_commands(procfile) if "--no-periodic" not in line]
    assert len(periodic) == 1 and periodic[0].startswith("scheduler:")


def test_compose_environment_uses_documented_names():
    env = compose()["services"]["web"]["environment"]
    unknown = sorted(set(env) - documented() - NOT_OURS)
    assert not unknown, f"compose.yaml sets variables docs/deploy.md does not describe: {unknown}"
    assert env["DJANGO_ENV"] == "production"
    for required in ("SECRET_KEY", "ALLOWED_HOSTS", "STRIPE_SECRET_KEY", "STRIPE_CONNECT_CLIENT_ID",
                     "STRIPE_WEBHOOK_SECRET"):  # fmt: skip
        assert ":?" in env[required], f"{required} must be required in compose.yaml"


def test_compose_builds_an_image_that_exists():
    services = compose()["services"]
    assert (ROOT / "Dockerfile").exists()
    assert all(services[name]["build"] == "." for name in ("web", "worker", "scheduler-worker"))
