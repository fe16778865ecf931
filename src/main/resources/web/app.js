// Wires the three views of the page together. Plain ES modules, no build step: the server serves these files as is.
import { PredictView } from './predict.js';
import { BalanceView } from './balance.js';
import { StatusView } from './status.js';
import { podColour } from './pods.js';

const servedBy = document.querySelector('#served-by-pod');

function showPod(pod) {
  if (pod) {
    servedBy.textContent = pod;
    servedBy.style.setProperty('--pod-colour', podColour(pod));
  }
}

const predict = new PredictView(document.querySelector('#predict'), showPod);
new BalanceView(document.querySelector('#balance'), () => predict.chosenFile);
new StatusView(document.querySelector('#status'), showPod).refresh();
