from evcards.cli import app


def test_help_lists_commands(runner):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    for name in ("show", "list", "add", "edit", "tag", "rm", "import"):
        assert name in result.output
