# shellcheck shell=bash
# The one place that decides which JDK runs ml-app, its build and its scripts (./mvnw, ./ml-app, scripts/*/*.sh,
# .ci/run): the machine's default `java` may be older than the Java 21 the project targets (17 on Debian 12).
#
#   source scripts/lib/jdk.sh; jdk_use     # exports JAVA_HOME and puts its bin/ first on PATH, or exits 1
#
# Order: $JAVA_HOME, then the `java` on PATH, then the usual install places (the newest there wins); the first
# full JDK (with javac) whose version is at least JDK_MIN_VERSION. Where there is none, one sentence says what to
# install. Reads each JDK's `release` file rather than starting a JVM per candidate.

JDK_MIN_VERSION=21

# The major version of the JDK at $1 (8 for 1.8), or nothing.
jdk_version() {
    local home=$1 version=""
    [[ -x "$home/bin/java" && -x "$home/bin/javac" ]] || return 0
    if [[ -f "$home/release" ]]; then
        version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
    fi
    if [[ -z "$version" ]]; then
        version=$("$home/bin/java" -version 2>&1 | sed -n '1s/.*version "\([^"]*\)".*/\1/p')
    fi
    version=${version#1.}
    version=${version%%[.+-]*}
    if [[ "$version" =~ ^[0-9]+$ ]]; then
        echo "$version"
    fi
}

# The JDK home the `java` on PATH belongs to, or nothing.
jdk_on_path() {
    local java
    java=$(command -v java 2>/dev/null) || return 0
    java=$(readlink -f "$java" 2>/dev/null || echo "$java")
    echo "${java%/bin/java}"
}

# The usual install places (ML_APP_JDK_DIRS, colon-separated, replaces them: for tests and unusual installs).
jdk_places() {
    if [[ -n "${ML_APP_JDK_DIRS:-}" ]]; then
        tr ':' '\n' <<<"$ML_APP_JDK_DIRS"
        return
    fi
    local home=${HOME:-/nonexistent}
    printf '%s\n' /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/*jdk* "$home"/.sdkman/candidates/java/* \
        "$home"/.jdks/* "$home"/.local/share/mise/installs/java/* "$home"/.asdf/installs/java/* \
        /Library/Java/JavaVirtualMachines/*/Contents/Home
}

# Prints the home of the JDK to use, or nothing.
jdk_find() {
    local home version
    for home in "${JAVA_HOME:-}" "$(jdk_on_path)"; do
        [[ -n "$home" ]] || continue
        version=$(jdk_version "$home")
        if [[ -n "$version" ]] && (( version >= JDK_MIN_VERSION )); then
            echo "$home"
            return 0
        fi
    done
    # Newest first; symlinks (Debian's java-1.17.0-openjdk-amd64 aliases) would only repeat a real directory.
    jdk_places | while IFS= read -r home; do
        [[ -d "$home" && ! -L "$home" ]] || continue
        version=$(jdk_version "$home")
        if [[ -n "$version" ]] && (( version >= JDK_MIN_VERSION )); then
            echo "$version $home"
        fi
    done | sort -s -rn -k1,1 | head -n 1 | cut -d' ' -f2-
    return 0
}

jdk_use() {
    local home
    home=$(jdk_find)
    if [[ -z "$home" ]]; then
        echo "ml-app needs a JDK $JDK_MIN_VERSION or newer and found none in JAVA_HOME, on PATH or in the usual" \
            "places (/usr/lib/jvm, /opt, ~/.sdkman…): install one, e.g. 'sudo apt-get install" \
            "openjdk-$JDK_MIN_VERSION-jdk' or Temurin $JDK_MIN_VERSION+ from https://adoptium.net." >&2
        exit 1
    fi
    export JAVA_HOME=$home
    export PATH="$home/bin:$PATH"
    JDK_VERSION=$(jdk_version "$home")
}

# jvm.conf at the project's root: the JVM options and environment every ml-app process gets, one owner for both.
JDK_CONF=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/jvm.conf

# The JVM options every ml-app process gets (jvm.conf's java lines) that the JDK in use knows.
jdk_java_options() {
    local kind since option options=()
    while read -r kind since option; do
        if [[ "$kind" == java ]] && (( ${JDK_VERSION:-0} >= since )); then
            options+=("$option")
        fi
    done <"$JDK_CONF"
    echo "${options[*]}"
}

# Exports jvm.conf's environment variables (env lines) that are not set already.
jdk_process_env() {
    local kind name value
    while read -r kind name value; do
        if [[ "$kind" == env && -z "${!name:-}" ]]; then
            export "$name=$value"
        fi
    done <"$JDK_CONF"
}
