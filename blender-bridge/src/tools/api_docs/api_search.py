# search_bpy_api: the index entries that best match the query's words.
# A query word matches an entry's word exactly or as its prefix (at a
# discount); entries whose name holds every query word, and whose name has
# few words besides, rank first.
import bisect

# Prefix matches ("subdiv" -> "subdivision") count this much of an exact one.
PREFIX_FACTOR = 0.6
MAX_PREFIX_WORDS = 40
# An entry whose name (its own, plus its type's or module's) holds every query word.
ALL_WORDS_BONUS = 8.0
# An entry whose own name is wholly made of query words ("width", not "width_pct").
WHOLE_NAME_BONUS = 4.0
# Per name word the query does not mention: shorter names win ties.
EXTRA_WORD_PENALTY = 0.3


def expansions(index, word):
    """The index words `word` stands for, each with its factor."""
    found = [(word, 1.0)] if word in index["postings"] else []
    if len(word) >= 3:
        vocabulary = index["vocabulary"]
        at = bisect.bisect_left(vocabulary, word)
        while at < len(vocabulary) and vocabulary[at].startswith(word) and len(found) < MAX_PREFIX_WORDS:
            if vocabulary[at] != word:
                found.append((vocabulary[at], PREFIX_FACTOR))
            at += 1
    return found


def raw_scores(index, query_words):
    """entry -> (summed weight, query words its name holds)."""
    scores = {}
    for word in query_words:
        best = {}
        for token, factor in expansions(index, word):
            for entry, weight in index["postings"][token].items():
                if weight * factor > best.get(entry, 0.0):
                    best[entry] = weight * factor
        for entry, weight in best.items():
            total, in_name = scores.get(entry, (0.0, 0))
            scores[entry] = (total + weight, in_name + (weight >= WEIGHT_OWNER * PREFIX_FACTOR))
    return scores


def final_score(index, entry, total, in_name, query_words):
    leaf, owner = index["names"][entry]
    score = total
    if in_name == len(query_words):
        score += ALL_WORDS_BONUS
    if leaf and set(leaf) <= set(query_words):
        score += WHOLE_NAME_BONUS
    extra = len(set(leaf) | set(owner)) - in_name
    return score - EXTRA_WORD_PENALTY * max(extra, 0)


def search(query, limit):
    index = api_index()
    query_words = list(dict.fromkeys(w for w in words_of(query) if w not in STOP_WORDS)) or words_of(query)
    if not query_words:
        raise ValueError(f"query {query!r} has no words to search for; try words such as 'bevel width' or 'add cube'")
    scores = raw_scores(index, query_words)
    # Only the strongest candidates get the finer score.
    shortlist = sorted(scores.items(), key=lambda item: -item[1][0])[: max(200, limit * 10)]
    ranked = sorted(
        shortlist,
        key=lambda item: (-final_score(index, item[0], *item[1], query_words), index["entries"][item[0]][0]),
    )
    matches = []
    for entry, _ in ranked[:limit]:
        path, kind, description, detail = index["entries"][entry]
        match = {"path": path, "kind": kind, "description": description}
        if detail:
            match["detail"] = detail
        matches.append(match)
    return {"blender": bpy.app.version_string, "matches": matches, "candidates": len(scores)}


result = search(args["query"], args.get("limit") or 10)
