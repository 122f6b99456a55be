// The npm-import way in: a merchant's bundle imports the element like any other package.
import 'tender/widget';
