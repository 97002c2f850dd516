# Shared by bin/run and bin/test: a virtualenv with the project installed from its own pyproject.toml.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "Creating virtualenv .venv …"
  "$PYTHON" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "Installing dependencies (pip install -e '.[dev]') …"
  python -m pip install -q --upgrade pip
  python -m pip install -q -e ".[dev]"
  rm -f .venv/.installed-* && touch "$stamp"
fi
export DEBUG=${DEBUG:-1}
export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore::UserWarning:platformdirs}
