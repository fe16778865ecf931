package dev.mlapp.http;

import dev.mlapp.inference.Classifier;
import dev.mlapp.model.Model;

/** What the server holds once the model is loaded and warmed up. */
record ServedModel(Model model, Classifier classifier, double loadMillis) {
}
