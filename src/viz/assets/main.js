// Start: fill in the panels, then draw the views.
document.title = `Attention in ${DATA.model || 'a model'}`;
document.getElementById('title').textContent = document.title;
showSentence();
headView.init();
modelView.init();
showSteps();
showSummaries();
