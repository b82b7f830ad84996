//! Languages: each passage analyzed in its own language (stemming, Turkish casing and
//! apostrophes, Azerbaijani folding, CJK bigrams), the `lang` header, `lang:` filters, and
//! what `stats` and JSON say of languages.

use crate::util::{highlighted, TestEnv};

const RUSSIAN: &str = "Новости Москвы\n\nВчера в Москве прошла встреча министров, и они заявили, \
     что переговоры будут продолжены. Это было важно для всех, кто живёт в столице.\n";
const TURKISH: &str = "Ankara'da toplantı\n\nBakanlar dün İSTANBUL'da bir araya geldi ve \
     görüşmelerin ANKARA'da devam edeceğini söyledi. Ancak tarih için karar yok; kitapları da \
     getirdiler.\n";
const AZERBAIJANI: &str = "Qarabağ xəbərləri\n\nNazir bildirib ki, Xocalı soyqırımı ilə bağlı \
     tədbirlər Qarabağda və Bakıda keçiriləcək. Həmçinin XOCALI faciəsi üçün anım günü olacaq.\n";
const CHINESE: &str = "北京新闻\n\n昨天在北京市举行了会议，北京是中国的首都。\n";
const JAPANESE: &str =
    "東京のニュース\n\n昨日、東京都で会議が開かれました。ひらがなとカタカナも使います。\n";
const ENGLISH: &str = "Talks in Moscow\n\nThe ministers said that the talks would go on, and \
     that they were important for the region and for the people who live there.\n";

fn corpus() -> TestEnv {
    let env = TestEnv::new();
    env.write("ru.txt", RUSSIAN)
        .write("tr.txt", TURKISH)
        .write("az.txt", AZERBAIJANI)
        .write("zh.txt", CHINESE)
        .write("ja.txt", JAPANESE)
        .write("en.txt", ENGLISH);
    env.index();
    env
}

/// The paths and languages of a query's hits.
fn found(env: &TestEnv, query: &str) -> Vec<(String, String)> {
    env.search(query, &[])
        .hits
        .iter()
        .map(|h| (h.path.clone(), h.lang.clone()))
        .collect()
}

fn paths(env: &TestEnv, query: &str) -> Vec<String> {
    env.paths(query)
}

#[test]
fn each_document_gets_its_language() {
    let env = corpus();
    for (path, lang, query) in [
        ("ru.txt", "ru", "министров"),
        ("tr.txt", "tr", "bakanlar"),
        ("az.txt", "az", "nazir"),
        ("zh.txt", "zh", "会议"),
        ("ja.txt", "ja", "会議"),
        ("en.txt", "en", "ministers"),
    ] {
        assert_eq!(
            found(&env, query),
            [(path.to_string(), lang.to_string())],
            "{query}"
        );
    }
    // Titles come back as written.
    let hit = &env.search("министров", &[]).hits[0];
    assert_eq!(hit.title.as_deref(), Some("Новости Москвы"));
}

#[test]
fn russian_and_turkish_words_are_found_by_their_other_forms() {
    let env = corpus();
    // Москва, Москве, Москвы: one stem.
    for query in ["Москва", "москве", "МОСКВЫ"] {
        assert_eq!(paths(&env, query), ["ru.txt"], "{query}");
    }
    let hit = &env.search("Москва", &[]).hits[0];
    assert_eq!(highlighted(hit), ["Москве"]);
    assert_eq!(paths(&env, "переговор"), ["ru.txt"]);
    // живёт: its stem spells ё as е.
    for query in ["живёт", "живет"] {
        assert_eq!(paths(&env, query), ["ru.txt"], "{query}");
    }
    // kitapları (the books) is found by kitap (book), kitaplar and kitabı (consonant change).
    for query in ["kitap", "kitaplar", "kitabı"] {
        assert_eq!(paths(&env, query), ["tr.txt"], "{query}");
    }
    assert_eq!(
        highlighted(&env.search("kitap", &[]).hits[0]),
        ["kitapları"]
    );
    // An English query still finds English text by its stems, as before.
    assert_eq!(paths(&env, "talk minister"), ["en.txt"]);
}

/// A prefix typed with `ё` finds the Russian words whose stems spell it `е`.
#[test]
fn a_russian_prefix_with_yo_finds_its_words() {
    let env = TestEnv::new();
    env.write(
        "ice.txt",
        "Погода\n\nНа дорогах гололёд, и министр заявил, что водители должны быть осторожны.\n",
    );
    env.index();
    for query in ["гололёд*", "гололед*", "гололёд", "гололед"] {
        assert_eq!(paths(&env, query), ["ice.txt"], "{query}");
    }
}

#[test]
fn turkish_casing_and_apostrophes() {
    let env = corpus();
    // İSTANBUL'da and ANKARA'da: the suffix after the apostrophe goes, dotted and dotless i meet.
    for query in ["istanbul", "İstanbul", "ISTANBUL", "İSTANBUL", "ıstanbul"] {
        assert_eq!(paths(&env, query), ["tr.txt"], "{query}");
    }
    let hit = &env.search("ankara", &[]).hits[0];
    assert_eq!(hit.path, "tr.txt");
    assert_eq!(highlighted(hit), ["ANKARA'da"]);
    assert_eq!(hit.title_highlights.len(), 1, "Ankara'da in the title");
}

#[test]
fn azerbaijani_letters_fold_for_searching() {
    let env = corpus();
    for query in ["Xocalı", "Xocali", "xocali", "XOCALI"] {
        let hits = env.search(query, &[]).hits;
        assert_eq!(hits.len(), 1, "{query}");
        assert_eq!(highlighted(&hits[0]), ["Xocalı", "XOCALI"], "{query}");
    }
    // Without an Azerbaijani keyboard: qarabag finds Qarabağ, bakida finds Bakıda.
    assert_eq!(paths(&env, "qarabag"), ["az.txt"]);
    assert_eq!(paths(&env, "bakida"), ["az.txt"]);
    assert_eq!(paths(&env, "\"xocali soyqirimi\""), ["az.txt"]);
    // `ə` folds to `a`, as the README says: xabarlari finds xəbərləri.
    assert_eq!(paths(&env, "xabarlari"), ["az.txt"]);
}

#[test]
fn chinese_and_japanese_words_are_found_inside_sentences() {
    let env = corpus();
    // 北京 inside 在北京市举行: found, and exactly the two characters are marked.
    let hit = &env.search("北京", &[]).hits[0];
    assert_eq!(hit.path, "zh.txt");
    assert_eq!(highlighted(hit), ["北京", "北京"]);
    // Three characters: a phrase of two bigrams; one character alone works too.
    assert_eq!(highlighted(&env.search("北京市", &[]).hits[0]), ["北京市"]);
    assert_eq!(highlighted(&env.search("京", &[]).hits[0]), ["京", "京"]);
    assert_eq!(paths(&env, "首都"), ["zh.txt"]);
    // Japanese: kanji, hiragana and katakana.
    assert_eq!(paths(&env, "東京"), ["ja.txt"]);
    assert_eq!(paths(&env, "開かれ"), ["ja.txt"]);
    assert_eq!(
        highlighted(&env.search("カタカナ", &[]).hits[0]),
        ["カタカナ"]
    );
    // A sentence typed as a query, without spaces, still finds its document first.
    assert_eq!(paths(&env, "東京都で会議")[0], "ja.txt");
}

#[test]
fn phrases_prefixes_and_fuzzy_words_in_every_language() {
    let env = corpus();
    assert_eq!(paths(&env, "\"переговоры будут продолжены\""), ["ru.txt"]);
    assert!(paths(&env, "\"будут переговоры\"").is_empty());
    assert_eq!(paths(&env, "моск*"), ["ru.txt"]);
    assert_eq!(paths(&env, "министрв~"), ["ru.txt"]);
    assert_eq!(paths(&env, "görüş*"), ["tr.txt"]);
    assert_eq!(paths(&env, "\"devam edeceğini\""), ["tr.txt"]);
    assert_eq!(paths(&env, "\"会议\""), ["zh.txt"]);
    let hit = &env.search("\"переговоры будут\"", &[]).hits[0];
    assert_eq!(highlighted(hit), ["переговоры будут"]);
}

#[test]
fn a_mixed_document_gives_each_paragraph_its_own_analysis() {
    let env = TestEnv::new();
    let english = "The ministers said that the talks in Moscow would go on, and that they were \
         important for the whole region and for all of the people who live there. ";
    let russian = "Министр заявил, что переговоры в Москве будут продолжены и что это важно для \
         всех, кто живёт в регионе, и для тех, кто приезжает туда из других стран. ";
    env.write(
        "mixed.txt",
        &format!("Report\n\n{}\n\n{}\n", english.repeat(3), russian.repeat(3)),
    );
    env.index();
    let hits = env.search("talk OR москва", &["--per-doc", "0"]).hits;
    let mut langs: Vec<(String, Vec<String>)> = hits
        .iter()
        .map(|h| (h.lang.clone(), highlighted(h)))
        .collect();
    langs.sort();
    assert_eq!(langs.len(), 2, "{langs:?}");
    assert_eq!(langs[0].0, "en");
    assert!(langs[0].1.iter().all(|w| w == "talks"), "{langs:?}");
    assert_eq!(langs[1].0, "ru");
    assert!(langs[1].1.iter().all(|w| w == "Москве"), "{langs:?}");
    // Each paragraph is found only through its own language.
    assert_eq!(env.search("lang:ru talks", &[]).hits.len(), 0);
    assert_eq!(env.search("lang:en москва", &[]).hits.len(), 0);
}

#[test]
fn german_french_and_spanish_are_stemmed_too() {
    let env = TestEnv::new();
    env.write(
        "de.txt",
        "Neue Häuser\n\nDie Regierung hat die neuen Häuser in der Stadt gebaut, und das ist \
         nicht alles, was sie für die Bürger tun wird.\n",
    )
    .write(
        "fr.txt",
        "Les élections\n\nLes chevaux sont dans les champs, et le ministre a dit qui est pour \
         une réforme avec des élections dans les villes, après l'élection du maire.\n",
    )
    .write(
        "es.txt",
        "Las elecciones\n\nLos candidatos dijeron que las elecciones del año serán como las \
         anteriores, pero con más votantes.\n",
    );
    env.index();
    for (query, path, lang) in [
        ("haus", "de.txt", "de"),
        ("cheval", "fr.txt", "fr"),
        ("champ", "fr.txt", "fr"),
        ("ville", "fr.txt", "fr"),
        ("élection", "fr.txt", "fr"),
        ("candidato", "es.txt", "es"),
    ] {
        let hits = env.search(query, &[]).hits;
        let found: Vec<(&str, &str)> = hits
            .iter()
            .map(|h| (h.path.as_str(), h.lang.as_str()))
            .collect();
        assert_eq!(found, [(path, lang)], "{query}");
    }
    assert_eq!(highlighted(&env.search("haus", &[]).hits[0]), ["Häuser"]);
    // The elided article goes: l'élection is élection.
    assert_eq!(
        highlighted(&env.search("élection", &[]).hits[0]),
        ["élections", "l'élection"]
    );
}

#[test]
fn lang_filters() {
    let env = corpus();
    assert_eq!(paths(&env, "lang:ru москва"), ["ru.txt"]);
    assert!(paths(&env, "lang:tr москва").is_empty());
    let mut all_cjk = paths(&env, "lang:zh OR lang:ja");
    all_cjk.sort();
    assert_eq!(all_cjk, ["ja.txt", "zh.txt"]);
    let out = env.run(&["search", "lang:russian"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("not a language code"), "{}", out.stderr);
}

#[test]
fn the_lang_header_overrides_detection() {
    let env = TestEnv::new();
    // Too short to tell, so not stemmed...
    env.write("short.txt", "Toplantılar yapıldı.\n");
    // ...unless the header says which language it is.
    env.write("header.txt", "lang tr\nKitapları okudular.\n");
    env.write(
        "both.txt",
        "date 2026-02-26 lang ru\nЗаголовок\n\nМосквы нет.\n",
    );
    env.index();
    assert_eq!(env.search("toplantılar", &[]).hits[0].lang, "und");
    assert!(env.search("toplantı", &[]).hits.is_empty());
    let hit = &env.search("kitap", &[]).hits[0];
    assert_eq!((hit.path.as_str(), hit.lang.as_str()), ("header.txt", "tr"));
    assert_eq!(hit.text, "Kitapları okudular.");
    let hit = &env.search("москва", &[]).hits[0];
    assert_eq!((hit.path.as_str(), hit.lang.as_str()), ("both.txt", "ru"));
    assert_eq!(hit.date.as_deref(), Some("2026-02-26"));
}

#[test]
fn a_one_line_passage_gets_no_wrong_stemmer() {
    let env = TestEnv::new();
    // One Ukrainian line: Cyrillic, but not Russian (its letter ї and its word і say so).
    env.write("uk.txt", "Київ і Львів\n");
    // One line with no word that tells its language.
    env.write("latin.txt", "Bakanlar geldiler\n");
    env.write(
        "long.txt",
        "Russian text\n\nВчера в Москве прошла встреча, и они заявили, что это было важно.\n",
    );
    env.index();
    for (query, path, lang) in [("київ", "uk.txt", "uk"), ("geldiler", "latin.txt", "und")] {
        let hit = &env.search(query, &[]).hits[0];
        assert_eq!(
            (hit.path.as_str(), hit.lang.as_str()),
            (path, lang),
            "{query}"
        );
    }
    // With a language named, the query is analyzed as that language's passages are: the
    // Russian stemmer no longer reaches the Ukrainian line.
    assert_eq!(env.paths("київа"), ["uk.txt"]);
    assert!(env.search("lang:uk київа", &[]).hits.is_empty());
    assert_eq!(env.paths("lang:uk київ"), ["uk.txt"]);
    // Not stemmed (by the Turkish or English stemmer): only the exact forms find them.
    assert!(env.search("geldi", &[]).hits.is_empty());
    assert!(env.search("bakan", &[]).hits.is_empty());
    // The long Russian passage is stemmed.
    assert_eq!(env.paths("москва"), ["long.txt"]);
}

#[test]
fn stats_count_passages_and_documents_per_language() {
    let env = corpus();
    let out = env.run_ok(&["stats", "--format", "json"], 0);
    let stats: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let mut langs: Vec<(String, u64, u64)> = stats["languages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["lang"].as_str().unwrap().to_string(),
                l["passages"].as_u64().unwrap(),
                l["documents"].as_u64().unwrap(),
            )
        })
        .collect();
    langs.sort();
    let expected: Vec<(String, u64, u64)> = ["az", "en", "ja", "ru", "tr", "zh"]
        .iter()
        .map(|l| (l.to_string(), 1, 1))
        .collect();
    assert_eq!(langs, expected);
    let text = env.run_ok(&["stats"], 0).stdout;
    assert!(text.contains("languages"), "{text}");
}

#[test]
fn a_form_only_another_language_makes_does_not_match_english_text() {
    // The German stem of `power` is `pow`: with a German article in the index, `power` is
    // also looked for as `pow`, but only in German passages, not in English ones that say
    // "POW!".
    use loupe::analysis::{query_terms, Analysis, Western};
    assert_eq!(
        query_terms(Analysis::Snowball(Western::German), "power"),
        ["pow"]
    );
    let env = TestEnv::new();
    env.write(
        "de.txt",
        "Nachrichten\n\nDie Regierung hat gesagt, dass der Plan für die Power des Landes nicht \
         umgesetzt wird, weil er für die Menschen und für die Städte zu teuer ist.\n",
    )
    .write(
        "pow.txt",
        "Comics\n\nThe comic said POW! and the hero said that it was over for the villain, \
         and the people who read it were happy with the end of the story.\n",
    )
    .write(
        "power.txt",
        "Grid\n\nThe power station said that the power lines were repaired and that the \
         people of the region would have light again by the end of the week.\n",
    );
    env.index();
    assert_eq!(
        found(&env, "lang:de menschen"),
        [("de.txt".into(), "de".into())]
    );
    let mut paths = env.paths("power");
    paths.sort();
    assert_eq!(paths, ["de.txt", "power.txt"]);
}
