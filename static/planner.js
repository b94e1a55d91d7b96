// Behaviour every page may use. Pages carry no inline script or event handler (the
// Content-Security-Policy allows scripts from /static only), so it is attached here.
document.addEventListener("click", (event) => {
  const field = event.target.closest("input[data-select-on-click]");
  if (field) field.select();
  if (event.target.closest("button[data-print]")) window.print();
});
