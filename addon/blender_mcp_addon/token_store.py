"""Where the shared secret comes from (PROTOCOL.md section 7).

First match wins: ``BLENDER_MCP_TOKEN``, the GUI preference, an explicit
token file, the per-user token file. The per-user file is created on first
use so that every addon and client of one user on one machine agree on a
token without any configuration. Tokens are never logged.
"""

import os
import secrets

TOKEN_ENV = "BLENDER_MCP_TOKEN"
MIN_TOKEN_LENGTH = 16


class TokenError(Exception):
    """The configured token is unusable; the message never contains it."""


def default_token_path(environ=None):
    environ = os.environ if environ is None else environ
    config_home = environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(config_home, "blender-mcp-rs", "token")


def check_token(token, source):
    if len(token) < MIN_TOKEN_LENGTH:
        raise TokenError("the token from %s is shorter than %d characters" % (source, MIN_TOKEN_LENGTH))
    return token


def read_or_create_token_file(path):
    """Return the token stored at ``path``, creating the file if it is absent.

    The token is written whole to a private temporary file (mode 0600, in a
    0700 folder) and then hard-linked to ``path``, which fails if ``path``
    exists: so two addons starting at once cannot both write different
    tokens (the loser reads the winner's), and no reader ever sees the file
    before its token is in it.
    """
    try:
        return _read_token_file(path)
    except FileNotFoundError:
        pass
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    token = secrets.token_hex(32)
    staged = "%s.%d.%s.tmp" % (path, os.getpid(), secrets.token_hex(4))
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.write(fd, (token + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.link(staged, path)
    except FileExistsError:
        return _read_token_file(path)
    finally:
        os.unlink(staged)
    return token


def _read_token_file(path):
    with open(path, encoding="utf-8") as handle:
        token = handle.read().strip()
    return check_token(token, "token file %s" % path)


def resolve_token(preference=None, token_file=None, environ=None):
    """Apply the precedence of section 7 and return a usable token."""
    environ = os.environ if environ is None else environ
    from_env = environ.get(TOKEN_ENV)
    if from_env:
        return check_token(from_env, "$" + TOKEN_ENV)
    if preference:
        return check_token(preference, "the addon preferences")
    return read_or_create_token_file(token_file or default_token_path(environ))
