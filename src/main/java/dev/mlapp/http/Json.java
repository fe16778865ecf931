package dev.mlapp.http;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The one Gson instance: responses are built as ordered maps so field names are the API's, not Java's. */
final class Json {

    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

    private Json() {
    }
}
